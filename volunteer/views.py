"""Shared web helpers every feature's routes use (no feature imported here).

`safe_next`: the one check of a "go back to" target. Only a local path passes; "//evil.example"
(a scheme-relative URL browsers treat as another site), "/\\evil.example" (browsers read the
backslash as a slash), absolute URLs and anything with control characters are refused.
"""
from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (the caller picks a default)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ch < " " or ch == "\x7f" for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
