"""The package's shape, read with ast (no import runs): a feature's web layer never reaches into
another feature's web layer, and the shared floor imports no feature.

Why: shared helpers found in another feature's routes.py or forms.py made that feature a
utility package everyone depended on (issue 11). Shared pieces belong on the floor
(volunteer/forms.py, volunteer/views.py, ...), which in turn must stay below every feature.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "volunteer"
WEB_MODULES = ("routes", "forms")
# Floor modules still reaching up while issue 11 is under way (each entry is a debt, named so
# that no new one slips in; delete the entry when the import goes): settings are written with
# an audit entry; the star levels the facts triggers need live in hours/stars.py.
PENDING_FLOOR_IMPORTS = {
    "settings.py": {"audit.services", "audit.services.record"},
    "figures/facts.py": {"hours.stars", "hours.stars.STAR_LEVELS"},
}
FLOOR_NAMES = ("clock", "permissions", "privacy", "fields", "periods", "settings", "bulk", "forms", "views",
               "cli_support", "errors", "extensions", "database", "config")


def _features() -> set[str]:
    return {p.name for p in PACKAGE.iterdir()
            if p.is_dir() and (p / "__init__.py").exists() and p.name != "figures"}


def _floor_files() -> list[Path]:
    """The floor modules that exist (the list in ARCHITECTURE.md, as it is built up)."""
    files = [PACKAGE / f"{name}.py" for name in FLOOR_NAMES if (PACKAGE / f"{name}.py").exists()]
    figures = PACKAGE / "figures"
    files += sorted(figures.rglob("*.py")) if figures.is_dir() else [p for p in [PACKAGE / "figures.py"] if p.exists()]
    return files


def _imported(path: Path) -> set[str]:
    """Dotted names (relative to the `volunteer` package) that `path` imports, anywhere in the file."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    else:
        parts = parts[:-1]  # the module's package
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = parts[: len(parts) - (node.level - 1)]
            else:
                base = []
            module = base + (node.module.split(".") if node.module else [])
            if module[:1] != ["volunteer"]:
                continue
            rest = module[1:]
            names.add(".".join(rest))
            names.update(".".join(rest + [alias.name]) for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name.removeprefix("volunteer.") for alias in node.names
                         if alias.name.startswith("volunteer."))
    return {n for n in names if n}


def _web_files() -> list[Path]:
    return [PACKAGE / feature / f"{module}.py" for feature in sorted(_features()) for module in WEB_MODULES
            if (PACKAGE / feature / f"{module}.py").exists()]


@pytest.mark.parametrize("path", _web_files(), ids=lambda p: f"{p.parent.name}.{p.stem}")
def test_web_layer_never_imports_another_features_web_layer(path):
    own = path.parent.name
    crossing = sorted(name for name in _imported(path)
                      if len(name.split(".")) >= 2 and name.split(".")[0] in _features()
                      and name.split(".")[0] != own and name.split(".")[1] in WEB_MODULES)
    assert not crossing, f"{path.relative_to(PACKAGE.parent)} imports {crossing}: move the shared piece to the floor"


@pytest.mark.parametrize("path", _floor_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_floor_imports_no_feature(path):
    features = _features()
    pending = PENDING_FLOOR_IMPORTS.get(str(path.relative_to(PACKAGE)), set())
    reaching = sorted(name for name in _imported(path) if name.split(".")[0] in features and name not in pending)
    assert not reaching, f"{path.relative_to(PACKAGE.parent)} imports {reaching}: the floor must stay below every feature"


def test_the_checks_see_the_package():
    """A guard that parses nothing passes for nothing."""
    assert {"teams", "volunteers", "reports"} <= _features()
    assert len(_web_files()) > 20
    assert PACKAGE / "views.py" in _floor_files() and PACKAGE / "forms.py" in _floor_files()
