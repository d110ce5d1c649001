"""Writers who own their name: one row per name (compared by its skeleton) with a hash of its secret key.

Drawings saved before names had owners carry a name with no row here: the
first save under that name claims it, and them.
"""

from webapp.storage.connections import now, run


def find(db, skeleton):
    """(name as first saved, key hash) of the writer with this skeleton, or None."""
    row = run(db, "SELECT name, key_hash FROM writers WHERE skeleton = ?", (skeleton,)).fetchone()
    return None if row is None else (row["name"], row["key_hash"])


def claim(db, skeleton, name, key_hash):
    """Make ``name`` a writer with this key; False when someone holds the skeleton already (even just now)."""
    return run(db, "INSERT INTO writers (skeleton, name, key_hash, created_at) VALUES (?, ?, ?, ?)"
                   " ON CONFLICT DO NOTHING", (skeleton, name, key_hash, now())).rowcount == 1


def forget(db, skeleton):
    run(db, "DELETE FROM writers WHERE skeleton = ?", (skeleton,))
