"""Volunteer-service management for a New Era Civilization Practice sub-centre.

`create_app` only wires things together: configuration, extensions, blueprints, CLI, error
handlers and template helpers. The schema is created by `flask db upgrade`, never here.
"""
from flask import Flask
from flask_babel import gettext
from sqlalchemy.orm import configure_mappers
from werkzeug.middleware.proxy_fix import ProxyFix

from . import models  # noqa: F401  (every table known to Alembic and the ORM)
from .activities import routes as activities_routes
from .audit import routes as audit_routes
from .auth import routes as auth_routes
from .auth.services import load_user
from .certificates import routes as certificates_routes
from .checkin import routes as checkin_routes
from .cli import register_cli
from .config import configure
from .database import tune_engine
from .exports import routes as exports_routes
from .extensions import bootstrap, csrf, db, login_manager, migrate
from .hours import request_routes as hour_request_routes
from .hours import routes as hours_routes
from .i18n import init_i18n
from .imports import routes as imports_routes
from .integrity import routes as integrity_routes
from .joining import routes as joining_routes
from .display import routes as display_routes
from .language import routes as language_routes
from .main import routes as main_routes
from .me import routes as me_routes
from .merits import routes as merits_routes
from .national import routes as national_routes
from .positions import routes as positions_routes
from .reports import routes as reports_routes
from .teams import routes as teams_routes
from .users import routes as users_routes
from .views import install_converters
from .volunteers import routes as volunteers_routes
from .web import register_web_hooks


def create_app(test_config=None) -> Flask:
    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    configure(app, test_config)
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        # Only the hops our own proxies appended are trusted: a client's X-Forwarded-For
        # cannot pick the address that audit entries and throttles see.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops)
    _register_extensions(app)
    _register_blueprints(app)
    register_cli(app)
    register_web_hooks(app)
    return app


def _register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    init_i18n(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.localize_callback = gettext  # in the page's language (volunteer/vocabulary.py lists it)
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    with app.app_context():
        tune_engine(db.engine)
    # Settle the mappers now (no database access): a broken relationship fails at startup, and
    # the first request or command after it does not pay the ~40 ms.
    configure_mappers()


def _register_blueprints(app: Flask) -> None:
    install_converters(app)  # before the routes: path ids beyond an INTEGER answer 404
    for module in (auth_routes, main_routes, positions_routes, teams_routes, volunteers_routes,
                   activities_routes, hours_routes, hour_request_routes, me_routes, users_routes, audit_routes,
                   imports_routes, exports_routes, reports_routes, certificates_routes,
                   integrity_routes, checkin_routes, national_routes, joining_routes,
                   language_routes, display_routes, merits_routes):
        app.register_blueprint(module.bp)
