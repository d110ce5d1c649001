"""Nothing saved is lost: kill the server with SIGKILL in the middle of a burst of saves."""

import sqlite3

from bench.server import running_server
from tests.helpers import all_ids, ids_acknowledged_before_a_sigkill


def test_acknowledged_saves_survive_sigkill(tmp_path):
    database = tmp_path / "samples.sqlite3"
    env = {"SAMPLES_DB": str(database)}
    with running_server(env=env) as (url, process):
        acknowledged = ids_acknowledged_before_a_sigkill(url, process)
    with running_server(env=env) as (url, _):
        stored = all_ids(url)
    assert acknowledged <= stored
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
