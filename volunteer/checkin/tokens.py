"""What the venue screen shows: a signed QR token and a 6-digit code, both renewed every minute.

Both are derived from the app's secret key, the activity, its day and the minute counter
(minutes since the epoch), so nothing is stored and a GET of the venue screen writes nothing.

* QR token: itsdangerous-signed [activity id, day, counter]. Without the key it cannot be made;
  it names its activity and day, so it cannot be replayed for another; it expires two minutes
  after it is replaced (counter n is accepted up to minute n + 2). The printed sheet's token
  carries "s" instead of a counter and is valid for the activity's whole day.
* 6-digit code: the activity id run through a keyed permutation of [0, 333333) (a small-domain
  Feistel cipher, FE1 with cycle walking, keyed by HMAC of the secret key and the counter), times
  3, plus the counter mod 3. For one counter the permutation gives every activity a different
  code; the three counters valid at any moment differ mod 3; so the codes valid at the same time
  are unique by construction. Without the key the code of an activity cannot be foreseen, and a
  guessed code only names some activity whose day must be today (and every typed code spends the
  look-up budget).
"""
import hashlib
import hmac
from datetime import date, datetime, timezone

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

ROTATE_SECONDS = 60
GRACE_COUNTERS = 2  # a replaced token or code stays valid two more minutes
SHEET = "s"

_A, _B = 577, 578  # FE1 factors: 577 * 578 = 333506 >= DOMAIN
DOMAIN = 333_333  # activity ids 1..333332 have a code (3 * 333332 + 2 = 999998 < 10**6)
ROUNDS = 8


def counter_at(now: datetime) -> int:
    """The rotation counter of a naive-UTC moment (whole minutes since the epoch)."""
    return int(now.replace(tzinfo=timezone.utc).timestamp()) // ROTATE_SECONDS


def seconds_to_next(now: datetime) -> int:
    """Seconds until the next rotation (for the venue screen's refresh)."""
    return ROTATE_SECONDS - int(now.replace(tzinfo=timezone.utc).timestamp()) % ROTATE_SECONDS


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="checkin-qr")


def qr_token(activity_id: int, day: date, counter: int | str) -> str:
    return _serializer().dumps([activity_id, day.isoformat(), counter])


def read_token_unchecked(token: str) -> tuple[int, date, str] | None:
    """A genuine token's (activity id, day, kind) whatever its age (for a grant in the session)."""
    try:
        activity_id, day, counter = _serializer().loads(token)
        return int(activity_id), date.fromisoformat(day), "sheet" if counter == SHEET else "qr"
    except (BadSignature, ValueError, TypeError):
        return None


def read_token(token: str, now: datetime) -> tuple[int, date, str] | None:
    """(activity id, day, "qr" or "sheet") for a genuine token that has not expired, else None.

    Whether the day is today and the activity's own is the caller's check (services)."""
    try:
        activity_id, day, counter = _serializer().loads(token)
        day = date.fromisoformat(day)
        activity_id = int(activity_id)
    except (BadSignature, ValueError, TypeError):
        return None
    if counter == SHEET:
        return activity_id, day, "sheet"
    if not isinstance(counter, int):
        return None
    current = counter_at(now)
    if not (current - GRACE_COUNTERS <= counter <= current):
        return None
    return activity_id, day, "qr"


def _round_key(counter: int) -> bytes:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"checkin-code:{counter}".encode(), hashlib.sha256).digest()


def _f(key: bytes, rnd: int, value: int) -> int:
    digest = hmac.new(key, f"{rnd}:{value}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % _A


def _encrypt(key: bytes, x: int) -> int:
    while True:
        for rnd in range(ROUNDS):
            left, right = divmod(x, _B)
            x = _A * right + (left + _f(key, rnd, right)) % _A
        if x < DOMAIN:  # cycle walking: stay inside the domain, still a permutation
            return x


def _decrypt(key: bytes, y: int) -> int:
    while True:
        for rnd in reversed(range(ROUNDS)):
            right, w = divmod(y, _A)
            y = _B * ((w - _f(key, rnd, right)) % _A) + right
        if y < DOMAIN:
            return y


def code_for(activity_id: int, counter: int) -> str | None:
    """The six digits for an activity at a counter, or None for ids beyond the code space."""
    if not 0 < activity_id < DOMAIN:
        return None
    return f"{_encrypt(_round_key(counter), activity_id) * 3 + counter % 3:06d}"


def read_code(code: str, now: datetime) -> int | None:
    """The activity id that a typed code names right now, or None (malformed or expired)."""
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        return None
    value = int(code)
    y, residue = divmod(value, 3)
    if y >= DOMAIN:
        return None
    current = counter_at(now)
    counter = next(c for c in range(current - GRACE_COUNTERS, current + 1) if c % 3 == residue)
    activity_id = _decrypt(_round_key(counter), y)
    return activity_id or None
