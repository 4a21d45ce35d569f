"""The English catalogue is complete: every interface string in the code and templates (what
`make messages` extracts) has an English translation with the same placeholders, and the
committed .po compiles. A helper who adds `_('…')` without translating it fails here."""
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "volunteer/translations/en/LC_MESSAGES/messages.po"
SOURCES = {"volunteer": [("**.py", "python")], "templates": [("**.html", "jinja2")]}  # as babel.cfg
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
CJK = re.compile(r"[\u3400-\u9fff]")


def _extracted() -> set[str]:
    found = set()
    for folder, methods in SOURCES.items():
        for _file, _line, message, _comments, _context in extract_from_dir(
                str(ROOT / folder), methods, keywords=KEYWORDS, strip_comment_tags=True,
                directory_filter=lambda path: not Path(path).name.startswith((".", "__pycache__"))):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalogue():
    with PO.open("rb") as handle:
        return read_po(handle)


def test_every_interface_string_has_an_english_translation():
    catalogue = _catalogue()
    missing = sorted(m for m in _extracted() if m and not (catalogue.get(m) and catalogue.get(m).string))
    assert not missing, "untranslated (run `make messages` and translate in messages.po): " + repr(missing)


def test_translations_keep_the_placeholders_and_are_english():
    bad = []
    for message in _catalogue():
        if not message.id or not message.string:
            continue
        if sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string)):
            bad.append((message.id, message.string))
        elif CJK.search(message.string.replace("志愿服务记录证明", "")):
            bad.append((message.id, message.string))
    assert not bad, bad


def test_the_catalogue_compiles(tmp_path):
    from volunteer.i18n import compile_catalogues

    target = tmp_path / "en/LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "messages.po").write_bytes(PO.read_bytes())
    compile_catalogues(tmp_path)
    assert (target / "messages.mo").stat().st_size > 1000
