"""Keyset paging for lists ordered by one or more columns ending in a unique id.

OFFSET paging reads and throws away every row before the page, so the queue's deepest page cost
time in proportion to the queue (≈600 ms at 10×). A keyset page starts from the last row shown:
`WHERE (date, id) > (d, i) ORDER BY date, id LIMIT n+1` reads n+1 rows from an index, whether the
page is the first or the ten-thousandth. The pager (`keyset_pager` in _macros/tables.html) offers
首页 / 上一页 (?before=cursor) / 下一页 (?after=cursor) / 末页 (?last=1).

A cursor is the key's values joined by "_" (e.g. "2026-03-01_4711"); a malformed one is ignored
(the first page), never a 500.
"""
from datetime import date

from flask import current_app, request
from sqlalchemy import tuple_

from .extensions import db


class KeysetPage:
    """One page: `items`, whether earlier / later rows exist, and the cursors the links carry
    (`prev_cursor` / `next_cursor`, None when there is no such page)."""

    def __init__(self, items, has_prev: bool, has_next: bool, key):
        self.items = items
        self.has_prev, self.has_next = has_prev, has_next
        self.prev_cursor = encode(key(items[0])) if items and has_prev else None
        self.next_cursor = encode(key(items[-1])) if items and has_next else None


def encode(values) -> str:
    return "_".join(v.isoformat() if isinstance(v, date) else str(v) for v in values)


def decode(text: str | None, kinds: tuple) -> tuple | None:
    """The cursor's values as `kinds` (int, date), or None when absent or malformed."""
    if not text or len(text) > 100:
        return None
    parts = text.split("_")
    if len(parts) != len(kinds):
        return None
    try:
        values = tuple(date.fromisoformat(p) if kind is date else int(p) for p, kind in zip(parts, kinds))
    except ValueError:
        return None
    if any(isinstance(v, int) and not 0 <= v <= 2**63 - 1 for v in values):
        return None
    return values


def keyset_page(stmt, columns, kinds: tuple, key, *, per_page: int | None = None, source=None,
                newest_first: bool = False) -> KeysetPage:
    """One page of `stmt` ordered by `columns` (the last one unique), read from ?after= / ?before= /
    ?last=1 in `source` (request.args). `kinds` are the columns' Python types for the cursor;
    `key(row)` gives a row's values of those columns. One query of per_page + 1 rows.
    `newest_first` lists in descending order (the activities list): "after" is then older."""
    args = request.args if source is None else source
    per_page = per_page or current_app.config["PAGE_SIZE"]
    after, before = decode(args.get("after"), kinds), decode(args.get("before"), kinds)
    base = stmt.order_by(None)
    ascending = [c.asc() for c in columns]
    descending = [c.desc() for c in columns]
    row = tuple_(*columns)
    later = (lambda cursor: row < tuple_(*cursor)) if newest_first else (lambda cursor: row > tuple_(*cursor))
    earlier = (lambda cursor: row > tuple_(*cursor)) if newest_first else (lambda cursor: row < tuple_(*cursor))
    if newest_first:
        ascending, descending = descending, ascending
    if after is not None:
        rows = db.session.scalars(base.where(later(after)).order_by(*ascending).limit(per_page + 1)).all()
        return KeysetPage(rows[:per_page], True, len(rows) > per_page, key)
    if before is not None or args.get("last") == "1":
        if before is not None:
            base = base.where(earlier(before))
        rows = db.session.scalars(base.order_by(*descending).limit(per_page + 1)).all()
        return KeysetPage(list(reversed(rows[:per_page])), len(rows) > per_page, before is not None, key)
    rows = db.session.scalars(base.order_by(*ascending).limit(per_page + 1)).all()
    return KeysetPage(rows[:per_page], False, len(rows) > per_page, key)
