"""The Flask extensions, created unbound so models and views can import them."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
# The hosts' console (app/hosts/signin.py); delegates sign in through app/delegates/signin.py.
login = LoginManager()
limiter = Limiter(key_func=get_remote_address)
