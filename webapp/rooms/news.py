"""Wakes this process's room streams when something happened in a room, instead of at their next poll."""

import threading

from webapp.extension import Extension


class News:
    """Wakes this process's streams when something happened in a room, instead of at their next poll."""

    def __init__(self):
        self.count = 0
        self._condition = threading.Condition()

    def wake(self):
        with self._condition:
            self.count += 1
            self._condition.notify_all()

    def wait(self, seen, seconds):
        """Wait until something happens after ``seen`` or ``seconds`` pass; the new count."""
        with self._condition:
            self._condition.wait_for(lambda: self.count != seen, timeout=seconds)
            return self.count


ROOM_NEWS = Extension[News]("room_news")


def news():
    """This process's news of its rooms."""
    return ROOM_NEWS.get()
