"""The web: one blueprint per audience and part of the site, and the error pages.

Every page lives under `/LANG/` (the blueprints' url_prefix); only `/` and `/healthz` do not."""
from flask import Flask

from . import errors, newsletter, program, public, registration, verify


def init_app(app: Flask) -> None:
    app.register_blueprint(public.root)
    app.register_blueprint(public.bp)
    app.register_blueprint(program.bp)
    app.register_blueprint(registration.bp)
    app.register_blueprint(newsletter.bp)
    app.register_blueprint(verify.bp)  # an embassy checks a visa invitation letter
    errors.init_app(app)
