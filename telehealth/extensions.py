"""Flask extensions, created unbound here and bound to the app in create_app()."""

import sqlite3

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect


class Base(so.DeclarativeBase):
    # SQLite re-uses the highest ids after a delete unless told not to: an id (of a link, a
    # session, a client) must never name a second thing, or an old cookie could open it.
    __table_args__ = {"sqlite_autoincrement": True}
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
socketio = SocketIO()
limiter = Limiter(key_func=get_remote_address)
babel = Babel()
compress = Compress()


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_enforces_foreign_keys(dbapi_connection, _record) -> None:
    """SQLite ignores foreign keys (and so ON DELETE CASCADE) unless asked, per connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
        # WAL: readers never wait for the writer, and a commit needs no fsync of the main
        # file (synchronous=NORMAL stays safe when the process is killed; a power cut may lose
        # the last commits). Each stimulation change is a commit, so this is the hot path.
        if dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")
