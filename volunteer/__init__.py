"""Volunteer-service management for a New Era Civilization Practice sub-centre.

`create_app` only wires things together: configuration, extensions, blueprints, CLI, error
handlers and template helpers. The schema is created by `flask db upgrade`, never here.
"""
from flask import Flask

from .config import configure


def create_app(test_config=None) -> Flask:
    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    configure(app, test_config)
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Only the hops our own proxies appended are trusted: a client's X-Forwarded-For
        # cannot pick the address that audit entries and throttles see.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops)
    _register_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    from .web import register_web_hooks

    register_web_hooks(app)
    return app


def _register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (every table known to Alembic and the ORM)
    from .auth.services import load_user
    from .database import tune_engine
    from .extensions import bootstrap, csrf, db, login_manager, migrate
    from sqlalchemy.orm import configure_mappers

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    with app.app_context():
        tune_engine(db.engine)
    # Settle the mappers now (no database access): a broken relationship fails at startup, and
    # the first request or command after it does not pay the ~40 ms.
    configure_mappers()


BLUEPRINTS = (
    "auth", "main", "positions", "teams", "volunteers", "activities", "hours",
    "me", "users", "audit", "imports", "exports", "reports", "certificates", "integrity", "checkin",
)


def _register_blueprints(app: Flask) -> None:
    from importlib import import_module

    from .views import install_converters

    install_converters(app)  # before the routes: path ids beyond an INTEGER answer 404
    for name in BLUEPRINTS:
        module = import_module(f".{name}.routes", __name__)
        app.register_blueprint(module.bp)


def _register_cli(app: Flask) -> None:
    from .cli import register_cli

    register_cli(app)
