"""A request's connection to the database of saved drawings, and its transactions.

The database is SQLite or PostgreSQL (:mod:`webapp.storage.databases`). A
request takes a connection for each transaction and gives it back when the
transaction ends, so it holds none while it does other work: a phone's drawing
is read by the model between two transactions, and a room's stream waits for
news between reads. A connection taken outside a transaction is kept until
the request ends. Every write is one transaction, committed before the request is
answered, so an acknowledged save survives the server being killed; reads that
must agree with each other share one read transaction. A database that cannot
be reached raises :class:`DatabaseUnavailable`, which the app answers with a 503.
"""

from contextlib import contextmanager
from datetime import datetime, timezone

from flask import g

from webapp.extension import Extension
from webapp.storage.databases import DatabaseUnavailable, PostgresDatabase, SchemaError, SQLiteDatabase, open_database
from webapp.web.errors import answer_unavailable

UNAVAILABLE = "the samples database is not available; try again later"
NEWER_SCHEMA = "the samples database was written by a newer version of Digit Pad, which this server cannot read"
DATABASE = Extension[SQLiteDatabase | PostgresDatabase]("database")


def database(app=None):
    """The app's database of saved drawings."""
    return DATABASE.get(app)


def connection():
    """This request's connection, taken (and the schema brought up to date) on first use."""
    if "samples_db" not in g:
        g.samples_db = database().connect()
    return g.samples_db


def close_connection(_error=None):
    """Give this request's connection back, if it took one."""
    db = g.pop("samples_db", None)
    if db is not None:
        database().release(db)


@contextmanager
def transaction(write=True):
    """A transaction on this request's connection, given back at the end unless the request held it before;
    the database's own failures become DatabaseUnavailable."""
    held_before = "samples_db" in g
    db = connection()
    try:
        with database().transaction(db, write):
            yield db
    except database().errors() as error:
        raise DatabaseUnavailable(f"the samples database could not finish: {error}") from None
    finally:
        if not held_before:
            close_connection()


def snapshot():
    """A read transaction: everything read inside sees the same rows."""
    return transaction(write=False)


def run(db, statement, values=()):
    """Run one statement written with ``?`` placeholders, whichever the database."""
    return db.execute(database().sql(statement), values)


def stream(statement, values=()):
    """The rows of a query one at a time, without holding them all (inside a transaction)."""
    return database().stream(connection(), statement, values)


def row_lock():
    """What ends a SELECT that must hold its rows until the transaction ends (SQLite's write lock holds all)."""
    return " FOR UPDATE" if database().backend == "postgresql" else ""


def schema_version(db):
    return database().version(db)


def migrate(db):
    database().migrate(db)


def check():
    """Raise DatabaseUnavailable unless the database answers."""
    with transaction(write=False) as db:
        run(db, "SELECT 1")


def now():
    """The time stored with a row: UTC, ISO 8601, to the millisecond."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def init_app(app):
    DATABASE.init(app, open_database(app.config))
    app.teardown_appcontext(close_connection)
    answer_unavailable(app, DatabaseUnavailable, UNAVAILABLE)
    answer_unavailable(app, SchemaError, NEWER_SCHEMA)
