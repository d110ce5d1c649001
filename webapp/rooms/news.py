"""News of this process's rooms, told to its waiting streams together, at most once a ``tick``.

A busy room takes dozens of drawings a second. Waking every waiting wall for
each of them would wake hundreds of threads dozens of times a second, each at
its own moment, each asking its own question. So what happened is counted at
once, but told to the waiting streams at most once a ``tick``: they all wake
together, ask the same question and share one read (see
:mod:`webapp.rooms.shared_reads`), and write to their walls in one burst.
"""

import math
import threading
import time

from webapp.extension import Extension


class News:
    """Counts what happened in this process's rooms and tells waiting streams, together, at most once a tick."""

    def __init__(self, tick=0.0):
        self.tick = tick
        self.count = 0
        """Things that happened so far."""
        self.told = 0
        """The count the waiting streams were last woken for."""
        self._told_at = -math.inf
        self._telling_later = False
        self._condition = threading.Condition()

    def wake(self):
        """Count something that happened, and tell the waiting streams now or at the end of this tick."""
        with self._condition:
            self.count += 1
            wait = self._told_at + self.tick - time.monotonic()
            if wait <= 0:
                self._tell()
            elif not self._telling_later:
                self._telling_later = True
                timer = threading.Timer(wait, self._tell_later)
                timer.daemon = True
                timer.start()

    def wait(self, seen, seconds):
        """Wait until streams are told of news after the count ``seen``, or at most ``seconds``: (the count told,
        when the wait ended: the moment of the telling, or the end of the seconds).

        The seconds are counted on one clock for all streams (they end at the next multiple of ``seconds``), so
        streams waiting for the same time wake together too, and share their reads. Hundreds of streams woken
        together run one after another; the moment returned is when they were woken, not when each ran.
        """
        now = time.monotonic()
        end = now + seconds - now % seconds
        with self._condition:
            if self._condition.wait_for(lambda: self.told != seen, timeout=end - now):
                return self.told, self._told_at
            return self.told, min(end, time.monotonic())

    def _tell(self):
        self.told, self._told_at = self.count, time.monotonic()
        self._condition.notify_all()

    def _tell_later(self):
        with self._condition:
            self._telling_later = False
            if self.told != self.count:
                self._tell()


ROOM_NEWS = Extension[News]("room_news")


def news():
    """This process's news of its rooms."""
    return ROOM_NEWS.get()
