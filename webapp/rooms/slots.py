"""How many room streams of this process may wait for news at once, in all and per client.

A waiting stream holds a request thread of its own: left unbounded, open walls
took all of a process's threads (8 with waitress, 4 per gunicorn worker) and
predictions stopped. So the server adds a thread per seat, and the streams
beyond the seats answer at once with what is new; their walls ask again a
moment later.
"""

import threading
from collections import Counter

from webapp.extension import Extension


class Slots:
    """Seats for waiting streams, counted per client."""

    def __init__(self):
        self._held = Counter()
        self._lock = threading.Lock()

    def take(self, client, total, per_client):
        """Whether ``client`` got a seat, when at most ``total`` may be held, ``per_client`` by one client; give
        it back with :meth:`give_back`."""
        with self._lock:
            if self._held.total() >= total or self._held[client] >= per_client:
                return False
            self._held[client] += 1
            return True

    def give_back(self, client):
        with self._lock:
            self._held[client] -= 1
            if self._held[client] <= 0:
                del self._held[client]

    def held(self, client=None):
        """Seats held, by ``client`` or by all."""
        with self._lock:
            return self._held.total() if client is None else self._held[client]


STREAM_SLOTS = Extension[Slots]("room_stream_slots")
