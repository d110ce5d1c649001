"""Rate limits kept in the database, so that they hold across workers and hosts.

Each limit is a token bucket per client address (``request.remote_addr``,
which with ``--behind-proxy`` is the address the proxy names): ``burst``
tokens, refilled at ``rate`` a second. A request that finds too few tokens is
refused with a 429 and ``Retry-After``. Limits on *failures* (wrong room codes,
wrong admin tokens) refuse once the bucket is empty and spend a token only
when an attempt fails.

The clock is the app's ``RATE_LIMIT_CLOCK`` (seconds, default ``time.time``,
which agrees across hosts), so tests can move time instead of waiting.
"""

import math
import time
from contextlib import suppress
from dataclasses import dataclass

from flask import current_app, request

from webapp.storage.connections import row_lock, run, transaction
from webapp.storage.databases import DatabaseUnavailable, SchemaError
from webapp.web.errors import InputError

FORGET_AFTER = 3600
"""Seconds after which a bucket (full again by then) is deleted."""


@dataclass(frozen=True)
class Limit:
    name: str
    rate: float
    """Tokens a second."""
    burst: int
    refusal: str


SAVES = Limit("saves", 1.0, 60, "too many saved drawings")
"""A save costs one token per started 256 KB of body."""
SAVE_TOKEN_BYTES = 256 * 1024
ROOM_SENDS = Limit("room sends", 60.0, 120, "too many drawings")
"""Per address: a whole class behind one router may share it."""
PHONE_SENDS = Limit("phone sends", 1.0, 5, "too many drawings")
"""Per address and phone: no faster than a person draws."""
ROOM_CODE_MISSES = Limit("room code misses", 1 / 6, 10, "too many unknown room codes")
TOKEN_FAILURES = Limit("admin token failures", 1 / 6, 10, "too many wrong admin tokens")


def clock():
    return current_app.config.get("RATE_LIMIT_CLOCK", time.time)()


@dataclass(frozen=True)
class Spend:
    """``cost`` tokens of this client's bucket for ``limit`` (``key`` tells apart buckets of one address)."""
    limit: Limit
    cost: float = 1
    key: str = ""


def take(limit, cost=1, key=""):
    """Spend ``cost`` tokens of this client's bucket, or refuse the request with a 429."""
    take_all(Spend(limit, cost, key))


def take_all(*spends):
    """Spend all of ``spends`` or none: a 429 for the first whose bucket has too few tokens.

    One transaction for them all: a room's send spends two, and each write transaction waits for the disk.
    """
    now = clock()
    with transaction() as db:
        found = []
        for spend in spends:
            bucket = bucket_of(spend.limit, spend.key)
            row, tokens = tokens_left(db, spend.limit, bucket, now)
            if tokens < spend.cost:
                raise too_many(spend.limit, wait_for(spend.limit, spend.cost - tokens))
            found.append((spend, bucket, row, tokens))
        for spend, bucket, row, tokens in found:
            keep(db, row, bucket, tokens - spend.cost, now)


def refuse_when_spent(limit, key=""):
    """A 429 if this client has no token left for ``limit``; nothing is spent."""
    bucket, now = bucket_of(limit, key), clock()
    with transaction(write=False) as db:
        _, tokens = tokens_left(db, limit, bucket, now)
    if tokens < 1:
        raise too_many(limit, wait_for(limit, 1 - tokens))


def count_failure(limit, key=""):
    """Spend a token for a failed attempt: once the bucket is empty, the next attempts are refused."""
    bucket, now = bucket_of(limit, key), clock()
    with transaction() as db:
        row, tokens = tokens_left(db, limit, bucket, now)
        keep(db, row, bucket, max(0.0, tokens - 1), now)


def look_up(limit, find, *args):
    """``find(*args)``, refused (429) once this address failed too often; a miss (None) counts as a failure."""
    refuse_when_spent(limit)
    found = find(*args)
    if found is None:
        count_failure(limit)
    return found


def bucket_of(limit, key):
    return f"{limit.name}|{request.remote_addr or ''}|{key}"


def tokens_left(db, limit, bucket, now):
    """(the bucket's row or None, its tokens now, refilled since it was last used)."""
    row = run(db, f"SELECT tokens, updated FROM rate_limits WHERE bucket = ?{row_lock()}", (bucket,)).fetchone()
    if row is None:
        return None, float(limit.burst)
    return row, min(float(limit.burst), row["tokens"] + max(0.0, now - row["updated"]) * limit.rate)


def keep(db, row, bucket, tokens, now):
    """Store a bucket's tokens (two workers may make the same new bucket at once); a new bucket also clears
    those idle long enough to be full again."""
    run(db, "INSERT INTO rate_limits (bucket, tokens, updated) VALUES (?, ?, ?) ON CONFLICT (bucket) "
            "DO UPDATE SET tokens = excluded.tokens, updated = excluded.updated", (bucket, tokens, now))
    if row is None:
        run(db, "DELETE FROM rate_limits WHERE updated < ?", (now - FORGET_AFTER,))


def wait_for(limit, missing):
    """Whole seconds until ``missing`` tokens are refilled (at least 1)."""
    return max(1, math.ceil(missing / limit.rate))


def too_many(limit, wait):
    return InputError(f"{limit.refusal}: wait {wait} s", status=429, headers={"Retry-After": str(wait)})


def save_cost():
    """Tokens a save costs: one per started 256 KB of its body."""
    return max(1, math.ceil((request.content_length or 0) / SAVE_TOKEN_BYTES))


def init_app(app):
    """Count wrong admin tokens per address, and refuse more once too many were wrong.

    Without the database nothing is counted: what a token opens needs the database anyway.
    """

    @app.before_request
    def refuse_token_guessing():
        if "Authorization" in request.headers:
            with suppress(DatabaseUnavailable, SchemaError):
                refuse_when_spent(TOKEN_FAILURES)

    @app.after_request
    def count_wrong_tokens(response):
        if response.status_code == 401 and "Authorization" in request.headers:
            with suppress(DatabaseUnavailable, SchemaError):
                count_failure(TOKEN_FAILURES)
        return response
