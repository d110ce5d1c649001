"""Room reads shared by every wall of a process, so that a class's walls cost the database one read, not hundreds.

When the walls are told of news (:class:`~webapp.rooms.news.News`), every wall
asks for the events after the last one it saw, and nearly all of them saw the
same one: they ask the same question within a few milliseconds. So a read is
kept and answered again to every question asked after no more news than it saw
(its news count is at least the asker's), for at most ``max_age`` seconds,
which is how soon what other workers and hosts wrote is seen. Hiding a drawing
or forgetting a writer counts as news, so a read kept from before it is never
the answer to a question asked after it. Walls asking the same question at once
wait for the one read instead of each making it.
"""

import threading
import time
from dataclasses import dataclass
from typing import Any

from webapp.extension import Extension
from webapp.rooms.news import News

CAPACITY = 32
"""Reads kept at most (each up to a few hundred events with their pictures). A room's walls need a few at a time
(the room, its prompt, the events after the last one most walls saw); stale reads are dropped whenever a new one
is kept, and beyond this many the one used least recently goes, so made-up questions cannot pile up."""


@dataclass
class Kept:
    news_count: int
    read_at: float
    value: Any


class SharedReads:
    """Answers kept for questions asked after no more news than they saw, for at most ``max_age`` seconds."""

    def __init__(self, news: News, max_age: float):
        self._news = news
        self.max_age = max_age
        self._kept: dict[Any, Kept] = {}
        self._reading: dict[Any, threading.Lock] = {}
        self._lock = threading.Lock()

    def __len__(self):
        """Reads kept now."""
        return len(self._kept)

    def get(self, key, read, news_seen=None, asked_at=None):
        """What ``read()`` answers for ``key``: a kept answer that saw the news count ``news_seen`` (by default,
        all news so far) and was read less than ``max_age`` before ``asked_at`` (by default, now), else a new
        read (one at a time per key).

        Streams woken together give the moment they woke as ``asked_at``: hundreds of them take a while to run,
        and the last should share the first one's read, not make a newer one that sets it apart from the rest.
        """
        news_seen = self._news.count if news_seen is None else news_seen
        asked_at = time.monotonic() if asked_at is None else asked_at
        kept = self._fresh(key, news_seen, asked_at)
        if kept is not None:
            return kept.value
        with self._reading_lock(key):
            kept = self._fresh(key, news_seen, asked_at)
            if kept is not None:
                return kept.value
            news_count, read_at = self._news.count, time.monotonic()
            value = read()
            self._keep(key, Kept(news_count, read_at, value))
            return value

    def _fresh(self, key, news_seen, asked_at):
        """The kept read for ``key`` if it saw ``news_seen`` and is fresh at ``asked_at`` (then it is the last to
        be pushed out), else None."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is None or kept.news_count < news_seen or asked_at - kept.read_at >= self.max_age:
                return None
            self._kept[key] = self._kept.pop(key)
            return kept

    def _reading_lock(self, key):
        with self._lock:
            return self._reading.setdefault(key, threading.Lock())

    def _keep(self, key, kept):
        """Keep a read, dropping those older than ``max_age`` and, beyond ``CAPACITY``, those used least recently."""
        with self._lock:
            self._kept.pop(key, None)
            self._kept = {k: v for k, v in self._kept.items() if kept.read_at - v.read_at < self.max_age}
            while len(self._kept) >= CAPACITY:
                del self._kept[next(iter(self._kept))]
            self._kept[key] = kept
            self._reading = {k: lock for k, lock in self._reading.items() if k in self._kept or lock.locked()}


ROOM_READS = Extension[SharedReads]("room_reads")


def shared_reads():
    """This process's room reads shared by its walls."""
    return ROOM_READS.get()
