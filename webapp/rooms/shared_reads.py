"""Room reads shared by every wall of a process, so that a class's walls cost the database one read, not hundreds.

When a drawing arrives, every wall asks for the events after the last one it
saw, and nearly all of them saw the same one: they ask the same question within
a few milliseconds. So a read is kept and answered again while nothing has
happened in this process's rooms (its :class:`~webapp.rooms.news.News` count is
unchanged) and for at most ``max_age`` seconds, which is how soon what other
workers and hosts wrote is seen. Hiding a drawing or forgetting a writer wakes
the news, so a kept read never serves this process a picture it took away.
Walls asking the same question at once wait for the one read instead of each
making it.
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
    """Answers kept while nothing happened in this process's rooms, and for at most ``max_age`` seconds."""

    def __init__(self, news: News, max_age: float):
        self._news = news
        self.max_age = max_age
        self._kept: dict[Any, Kept] = {}
        self._reading: dict[Any, threading.Lock] = {}
        self._lock = threading.Lock()

    def __len__(self):
        """Reads kept now."""
        return len(self._kept)

    def get(self, key, read):
        """What ``read()`` answers for ``key``: a kept answer while it is fresh, else a new read (one at a time
        per key)."""
        kept = self._fresh(key)
        if kept is not None:
            return kept.value
        with self._reading_lock(key):
            kept = self._fresh(key)
            if kept is not None:
                return kept.value
            news_count, read_at = self._news.count, time.monotonic()
            value = read()
            self._keep(key, Kept(news_count, read_at, value))
            return value

    def _fresh(self, key):
        """The kept read for ``key`` while it is fresh (then it is the last to be pushed out), else None."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is None or kept.news_count != self._news.count or time.monotonic() - kept.read_at >= self.max_age:
                return None
            self._kept[key] = self._kept.pop(key)
            return kept

    def _reading_lock(self, key):
        with self._lock:
            return self._reading.setdefault(key, threading.Lock())

    def _keep(self, key, kept):
        """Keep a read, dropping those gone stale and, beyond ``CAPACITY``, those used least recently."""
        with self._lock:
            self._kept.pop(key, None)
            self._kept = {k: v for k, v in self._kept.items()
                          if v.news_count == kept.news_count and kept.read_at - v.read_at < self.max_age}
            while len(self._kept) >= CAPACITY:
                del self._kept[next(iter(self._kept))]
            self._kept[key] = kept
            self._reading = {k: lock for k, lock in self._reading.items() if k in self._kept or lock.locked()}


ROOM_READS = Extension[SharedReads]("room_reads")


def shared_reads():
    """This process's room reads shared by its walls."""
    return ROOM_READS.get()
