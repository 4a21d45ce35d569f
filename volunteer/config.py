"""Configuration: defaults, then instance/config.py, then environment, then test_config.

SECRET_KEY comes from the environment or, on a single machine, from instance/secret_key,
generated once and written atomically. It is never a literal in the code.

Outside development (VOLUNTEER_ENV other than "development") a well-known or short SECRET_KEY
is refused; VOLUNTEER_ENV=production also needs SECRET_KEY and DATABASE_URL, refuses debug
mode, and sends cookies only over HTTPS (Secure).
"""
import os
import secrets
from pathlib import Path


class Defaults:
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 21 * 1024 * 1024  # 20 MB file + form overhead
    WTF_CSRF_TIME_LIMIT = None  # a clerk may leave a form open all morning
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None
    PAGE_SIZE = 50
    DAILY_HOURS_LIMIT = 12
    # Failures per (account, address) and per address lock for LOGIN_LOCK_MINUTES, doubled on
    # each repeat (volunteer/throttle.py); nobody can lock another address out of an account.
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    LOGIN_MAX_FAILURES_PER_ADDRESS = 50
    # Logins one mobile may reach (a family sharing it); every wrong password costs this many
    # password checks, so the answer time does not tell how many logins a mobile has.
    LOGIN_MAX_CANDIDATES = 4
    # A login session (one browser) lasts at most this long, however often it is used.
    LOGIN_SESSION_MAX_DAYS = 30
    CLAIM_MAX_FAILURES = 5  # per (record, address)
    CLAIM_MAX_FAILURES_PER_ADDRESS = 20
    CLAIM_LOCK_MINUTES = 15
    # /register: an ID number already registered counts as a failure (a guesser probing the
    # registry), per (ID number, address) and per address, like a failed claim.
    REGISTER_MAX_FAILURES = 3
    REGISTER_MAX_FAILURES_PER_ADDRESS = 10
    REGISTER_LOCK_MINUTES = 15
    # X-Forwarded-For hops to trust: 1 for gunicorn behind one reverse proxy (the deployment),
    # 0 when the app faces clients directly. Audit entries and throttles use that address.
    PROXY_HOPS = 1


def load_secret_key(instance_path: str) -> str:
    """Return instance/secret_key, creating it atomically on first use."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        tmp.write_text(secrets.token_hex(32))
        os.chmod(tmp, 0o600)
        try:
            # link() fails if another worker won the race, so every worker ends with one key.
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


MIN_SECRET_KEY_LENGTH = 16
# Keys that appear in tutorials, templates and .env examples (compared as lowercase letters and
# digits only), and fragments that only a placeholder contains.
KNOWN_KEYS = {"dev", "development", "devkey", "test", "testing", "secret", "secretkey", "mysecretkey",
              "changeme", "changethis", "default", "password", "key", "flask", "flasksecretkey", "admin",
              "volunteer", "example", "none", "null", "insecure", "notsecret", "replaceme", "todo"}
PLACEHOLDER_PARTS = ("changeme", "changethis", "replaceme", "yoursecret", "secretkey", "insecure", "example")


def secret_key_weakness(key: str) -> str | None:
    """Why a SECRET_KEY is unfit outside development, or None when it will do."""
    plain = "".join(ch for ch in key.lower() if ch.isalnum())
    if plain in KNOWN_KEYS or any(part in plain for part in PLACEHOLDER_PARTS):
        return "is a well-known placeholder"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    if len(set(key)) < 6:
        return "repeats too few characters"
    return None


def configure(app, test_config=None) -> None:
    """Apply the configuration layers in the contract's order."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    for key in ("SECRET_KEY", "DATABASE_URL", "VOLUNTEER_ENV"):
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    if os.environ.get("PROXY_HOPS", "").strip():
        try:
            app.config["PROXY_HOPS"] = int(os.environ["PROXY_HOPS"])
        except ValueError:
            raise RuntimeError("PROXY_HOPS must be a whole number (0 without a reverse proxy)") from None
    if test_config:
        app.config.update(test_config)
    env = app.config.get("VOLUNTEER_ENV", "development")
    if env == "production":
        missing = [k for k in ("SECRET_KEY", "DATABASE_URL") if not app.config.get(k)]
        if missing:
            raise RuntimeError("VOLUNTEER_ENV=production needs " + " and ".join(missing))
        if app.debug:
            raise RuntimeError("VOLUNTEER_ENV=production must not run in debug mode (unset FLASK_DEBUG / DEBUG)")
        # Flask's defaults already hold SESSION_COOKIE_SECURE = False, so set it, not setdefault.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if env != "development" and app.config.get("SECRET_KEY"):
        weakness = secret_key_weakness(str(app.config["SECRET_KEY"]))
        if weakness:
            raise RuntimeError(f"SECRET_KEY {weakness}; set a long random one, e.g. the output of "
                               "python3 -c 'import secrets; print(secrets.token_hex(32))'")
    if int(app.config.get("PROXY_HOPS") or 0) < 0:
        raise RuntimeError("PROXY_HOPS must not be negative")
    url = app.config.get("DATABASE_URL") or app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        url = "sqlite:///" + str(Path(app.instance_path) / "volunteer.sqlite3")
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("sqlite"):
        # Writers wait for each other instead of failing with "database is locked".
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
