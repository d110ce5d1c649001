"""Where saved drawings live: SQLite in one file on one machine, or PostgreSQL shared by many workers and hosts.

``DATABASE_URL`` (``postgresql://...``) chooses PostgreSQL, through a pool of
psycopg connections; without it the drawings are in the SQLite file
``SAMPLES_DB``. Both give the store (:mod:`webapp.storage.connections`) the same
things: a connection for a request, transactions, the placeholder style, a way
to read many rows without holding them all, and the schema, brought up to
date from the versioned SQL files in ``webapp/storage/migrations/<backend>/`` by the
first connection, all in one transaction.
"""

import queue
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CONNECT_SECONDS = 3
DOWN_SECONDS = 2
"""After PostgreSQL could not be reached, requests fail at once for this long, then one tries again."""
MIGRATION_LOCK = 7_340_001
"""PostgreSQL advisory lock held while migrating, so that workers starting together migrate once."""


class DatabaseUnavailable(Exception):
    """The database cannot be reached or could not do the work; nothing was written."""


class SchemaError(Exception):
    """The database was written by a newer version of the app."""


def migrations(backend):
    """(version, statements) of every migration file of a backend, in order."""
    files = sorted((MIGRATIONS / backend).glob("*.sql"))
    found = []
    for expected, path in enumerate(files, start=1):
        version = int(path.name.split("_", 1)[0])
        if version != expected:
            raise RuntimeError(f"migration {path.name} is out of sequence: expected version {expected}")
        found.append((version, statements(path.read_text())))
    return found


def statements(text):
    """The SQL statements of a migration file, whole: a ``;`` or ``--`` inside a string, a comment or a
    trigger's body does not end one (``sqlite3.complete_statement`` knows where each really ends)."""
    found, pending_lines = [], []
    for line in text.splitlines(keepends=True):
        pending_lines.append(line)
        statement = "".join(pending_lines)
        if sqlite3.complete_statement(statement):
            found.append(statement.strip())
            pending_lines = []
    rest = "".join(pending_lines).strip()
    if rest and not all(line.strip().startswith("--") or not line.strip() for line in rest.splitlines()):
        raise RuntimeError(f"a migration ends in an unfinished statement: {rest[:80]!r}")
    return found


def pending(backend, version, where):
    """The migrations a database at ``version`` has not had yet; SchemaError if a newer app wrote it."""
    known = migrations(backend)
    if version > len(known):
        raise SchemaError(f"{where} has schema version {version}, but this app knows only up to {len(known)}: "
                          "run a newer Digit Pad")
    return known[version:]


def open_database(config):
    """The database the app's settings name."""
    if config.get("DATABASE_URL"):
        return PostgresDatabase(config["DATABASE_URL"], config.get("DATABASE_POOL_SIZE", 10))
    return SQLiteDatabase(config["SAMPLES_DB"])


class SQLiteDatabase:
    """One file; WAL with full syncing, so a committed save survives a crash.

    A request takes an idle connection or opens one (about a third of a
    millisecond), and gives it back for the next request of any thread.
    """

    backend = "sqlite"
    newest = len(migrations("sqlite"))

    def __init__(self, path, keep=16):
        self.path = Path(path)
        self._idle = queue.LifoQueue(maxsize=keep)

    def __str__(self):
        return str(self.path)

    def connect(self):
        try:
            db = self._idle.get_nowait()
        except queue.Empty:
            db = self._open()
        try:
            self.migrate(db)
        except sqlite3.DatabaseError as error:
            db.close()
            raise DatabaseUnavailable(f"cannot read the samples database {self.path}: {error}") from None
        except BaseException:
            db.close()
            raise
        return db

    def _open(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
        except (OSError, sqlite3.Error) as error:
            raise DatabaseUnavailable(f"cannot open the samples database {self.path}: {error}") from None
        return db

    def release(self, db):
        """Keep the connection for another request, unless it is in a bad state or enough are kept."""
        db.set_trace_callback(None)
        if db.in_transaction:
            db.close()
            return
        try:
            self._idle.put_nowait(db)
        except queue.Full:
            db.close()

    @contextmanager
    def transaction(self, db, write):
        """A write transaction takes the write lock at once (BEGIN IMMEDIATE), so it never fails half-way."""
        db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def sql(self, statement):
        return statement

    def stream(self, db, statement, values=()):
        return db.execute(statement, values)

    def version(self, db):
        return db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self, db):
        """Apply the migrations the file has not had yet, in one write transaction; its version is user_version."""
        if self.version(db) == self.newest:
            return
        with self.transaction(db, write=True):
            for _, statements in pending(self.backend, self.version(db), self.path):
                for statement in statements:
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {self.newest}")

    def errors(self):
        """The database's failures a request answers with a 503: locked, full, corrupt, a constraint broken."""
        return (sqlite3.DatabaseError,)


class PostgresDatabase:
    """A pool of connections to one PostgreSQL database; its version is the table schema_migrations.

    A connection is checked as it is taken from the pool, so those a restart of
    the server broke are replaced instead of failing a request. While the
    server cannot be reached, requests fail at once instead of each waiting
    for the pool's timeout; ``DOWN_SECONDS`` later one tries again, and the
    pool keeps reconnecting in the background. A pool that lends connections
    is busy, not down: a request that waited its timeout for one fails, and
    the next one waits again.
    """

    backend = "postgresql"
    newest = len(migrations("postgresql"))

    def __init__(self, url, size):
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        self.url = url
        self.pool = ConnectionPool(url, min_size=1, max_size=size, open=False, timeout=CONNECT_SECONDS,
                                   check=ConnectionPool.check_connection,
                                   kwargs={"autocommit": True, "row_factory": dict_row,
                                           "connect_timeout": CONNECT_SECONDS})
        self._lock = threading.Lock()
        self._opened = self._migrated = False
        self._down_until = 0.0
        self._lent = 0
        """Connections lent now: while there are any, the server answers, and a request that waited for the
        pool's timeout found it busy, not down; it fails alone, not every request for ``DOWN_SECONDS``."""
        self.clock = time.monotonic

    def __str__(self):
        from psycopg.conninfo import conninfo_to_dict

        parts = conninfo_to_dict(self.url)
        return f"PostgreSQL database {parts.get('dbname', '')} on {parts.get('host', 'localhost')}:{parts.get('port', 5432)}"

    def connect(self):
        import psycopg
        import psycopg_pool

        with self._lock:
            if not self._opened:
                self.pool.open(wait=False)
                self._opened = True
        if self.clock() < self._down_until:
            raise DatabaseUnavailable(f"the {self} could not be reached moments ago")
        try:
            db = self.pool.getconn()
        except (psycopg_pool.PoolTimeout, psycopg.OperationalError) as error:
            if self._lent:
                raise DatabaseUnavailable(f"every connection to the {self} is in use; try again") from None
            self._down_until = self.clock() + DOWN_SECONDS
            raise DatabaseUnavailable(f"cannot reach the {self}: {error}") from None
        try:
            if not self._migrated:
                self.migrate(db)
                self._migrated = True
        except BaseException:
            self.pool.putconn(db)
            raise
        with self._lock:
            self._lent += 1
        return db

    def release(self, db):
        with self._lock:
            self._lent -= 1
        self.pool.putconn(db)

    @contextmanager
    def transaction(self, db, write):
        """Writes see committed data; reads see one snapshot of it (REPEATABLE READ)."""
        with db.transaction():
            if not write:
                db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield

    def sql(self, statement):
        return statement.replace("?", "%s")

    def stream(self, db, statement, values=()):
        """Rows from a server-side cursor, fetched a few at a time (inside a transaction)."""
        with db.cursor(name=f"stream_{uuid.uuid4().hex}") as cursor:
            cursor.execute(self.sql(statement), values)
            yield from cursor

    def version(self, db):
        db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL)")
        return db.execute("SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations").fetchone()["version"]

    def migrate(self, db):
        with db.transaction():
            db.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            for number, statements in pending(self.backend, self.version(db), f"the {self}"):
                for statement in statements:
                    db.execute(statement)
                db.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (number,))

    def errors(self):
        import psycopg

        return (psycopg.OperationalError, psycopg.IntegrityError)

    def close(self):
        self.pool.close()
