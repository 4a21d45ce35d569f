"""What a reader sees of a page's interface text: the visible text and the attributes a person
reads (placeholder, title, aria-label, a button's value, a confirm prompt), leaving out the
elements marked as another language (`lang="zh"` for data people entered, `lang="en"` for the
"English" switch on a Chinese page), scripts and styles."""
import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "data-confirm")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
URL = re.compile(r"https?://\S+")
WORD = re.compile(r"\b[A-Za-z]{2,}\b")  # a word, not the letters of a code such as HQ00000001


class _Reader(HTMLParser):
    def __init__(self, skip_lang: str):
        super().__init__(convert_charrefs=True)
        self.skip_lang = skip_lang
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.pieces: list[str] = []

    def _skipping(self) -> bool:
        return any(skipped for _tag, skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = (attrs.get("lang") or "").lower()
        skipped = tag in ("script", "style") or (lang.startswith(self.skip_lang) and tag != "html")
        if not (skipped or self._skipping()):
            for name in READ_ATTRIBUTES:
                if attrs.get(name):
                    self.pieces.append(attrs[name])
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.pieces.append(attrs["value"])
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not self._skipping() and data.strip():
            in_title = any(tag == "title" for tag, _skipped in self.stack)
            # <title> cannot hold a marked element: an activity's title there is data.
            self.pieces.append(("title:" if in_title else "") + data.strip())


def interface_text(html: str, other_language: str) -> list[str]:
    """The pieces of text a reader sees, outside elements marked `lang=other_language`."""
    reader = _Reader(other_language)
    reader.feed(html)
    return reader.pieces


def chinese_in(html: str, data=()) -> list[str]:
    """Interface text of an English page that still holds Chinese characters (`data`: values
    people entered that a <title> may hold)."""
    found = []
    for piece in interface_text(html, "zh"):
        if piece.startswith("title:"):
            for value in data:
                piece = piece.replace(value, "")
        if CJK.search(piece):
            found.append(piece)
    return found


def english_in(html: str, data=(), allowed=()) -> list[str]:
    """Interface text of a Chinese page that holds English words (other than `allowed` ones:
    HTTPS, QR, ID… and data such as user names)."""
    found = []
    for piece in interface_text(html, "en"):
        piece = URL.sub("", piece.removeprefix("title:"))
        for value in data:
            piece = piece.replace(value, "")
        if any(word not in allowed for word in WORD.findall(piece)):
            found.append(piece)
    return found
