"""A throwaway PostgreSQL server from the system's binaries, in a temporary folder on a free port.

For the tests and the benchmarks: ``with throwaway_postgres() as url:`` gives
``postgresql://digitpad@127.0.0.1:PORT/postgres`` and stops the server and
deletes its files afterwards. PostgreSQL refuses to run as root, so as root
the server runs as the ``postgres`` user.
"""

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from bench.server import free_port, stop

USER = "digitpad"


def binaries():
    """The folder holding initdb and postgres, or None when PostgreSQL is not installed."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(path.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _as_server_user(command):
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def throwaway_postgres(timeout=60):
    folder = binaries()
    if folder is None:
        raise FileNotFoundError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    with tempfile.TemporaryDirectory(prefix="digitpad-postgres-") as scratch:
        data = Path(scratch) / "data"
        data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(scratch, "postgres")
            shutil.chown(data, "postgres")
        subprocess.run(_as_server_user([str(folder / "initdb"), "-D", str(data), "-U", USER, "-A", "trust",
                                        "--no-sync", "-E", "UTF8"]), check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(_as_server_user([str(folder / "postgres"), "-D", str(data), "-p", str(port),
                                                   "-k", scratch, "-c", "listen_addresses=127.0.0.1",
                                                   "-c", "fsync=on", "-c", "max_connections=200"]),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"postgresql://{USER}@127.0.0.1:{port}/postgres"
        try:
            _wait_until_ready(url, server, timeout)
            yield url
        finally:
            stop(server, seconds=20)


def _wait_until_ready(url, server, timeout):
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not start (exit code {server.poll()})") from None
            time.sleep(0.1)


def new_database(server_url):
    """A new, empty database on the server; its URL."""
    import psycopg

    name = f"digitpad_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + "/" + name
