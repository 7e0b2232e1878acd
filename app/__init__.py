"""The conference portal: a bilingual event site with registration."""
from flask import Flask

from .config import ROOT, Config, config_from_environment


def create_app(config_class: type[Config] | None = None, settings: dict | None = None) -> Flask:
    """Build the portal: config, extensions, blueprints, CLI, error pages."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config_class or config_from_environment())
    app.config.update(settings or {})

    from . import database, errors, htmx, i18n, security
    from .extensions import csrf, db, limiter, migrate

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    htmx.init_app(app)
    security.init_app(app)

    from .newsletter import bp as newsletter_bp
    from .program import bp as program_bp
    from .public import bp as public_bp
    from .registration import bp as registration_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(program_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(newsletter_bp)

    from .cli import portal_cli, translate_cli

    app.cli.add_command(portal_cli)
    app.cli.add_command(translate_cli)

    errors.init_app(app)
    return app

