"""The conference portal: a bilingual event site with registration."""
from flask import Flask

from . import assets, cookies, database, htmx, i18n, logs, security, web
from .cli import portal_cli, translate_cli
from .config import ROOT, Config, config_from_environment
from .extensions import csrf, db, limiter, migrate
from .hosts import (checkin_views as console_checkin, documents_views as console_documents,
                    editing_views as console_editing, logistics_views as console_logistics, privacy as host_privacy,
                    signin as host_signin, views as console)


class Portal(Flask):
    """Flask, remembering which functions are plain (every one of the portal's: it has no async
    views), where Flask inspects each view and hook again on every request."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._plain: set = set()

    def ensure_sync(self, func):
        if func in self._plain:
            return func
        made = super().ensure_sync(func)
        if made is func:
            self._plain.add(func)
        return made


def create_app(config_class: type[Config] | None = None, settings: dict | None = None) -> Flask:
    """Build the portal: config, extensions, blueprints, CLI, error pages."""
    app = Portal(__name__, instance_relative_config=True)
    app.config.from_object(config_class or config_from_environment())
    app.config.update(settings or {})
    logs.init_app(app)

    database.init_app(app)  # db.init_app, with the engine's settings
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    cookies.init_app(app)  # the session's and the form token's serializers, made once
    limiter.init_app(app)
    i18n.init_app(app)
    htmx.init_app(app)
    assets.init_app(app)
    security.init_app(app)

    web.init_app(app)  # the blueprints and the error pages
    host_signin.init_app(app)  # Flask-Login, for the hosts' console only
    app.register_blueprint(console.bp)  # the hosts' console
    host_privacy.init_app(app)  # an erased delegate's notes and log details go too
    app.register_blueprint(console_editing.bp)  # the console's editing of the program, pages and event
    app.register_blueprint(console_logistics.bp)  # arrivals, pickup waves and needs
    app.register_blueprint(console_documents.bp)  # visa letters and badges
    app.register_blueprint(console_checkin.bp)  # check-in at the door

    app.cli.add_command(portal_cli)
    app.cli.add_command(translate_cli)
    return app
