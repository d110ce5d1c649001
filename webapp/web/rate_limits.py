"""Token buckets: at most ``rate`` requests a second per key, with bursts of up to ``burst``.

Kept in each process's memory: with several workers each counts its own
requests, so a client may get up to the workers' number times the rate.
"""

import math
import threading
import time

FORGET_AFTER = 600
"""Seconds after which an idle key's bucket (full again by then) is dropped."""


class RateLimit:
    def __init__(self, rate, burst):
        self.rate, self.burst = rate, burst
        self._buckets = {}
        self._lock = threading.Lock()
        self._swept = time.monotonic()

    def wait_needed(self, key):
        """0 if the request may go ahead (and it is counted), else how many seconds until it may."""
        now = time.monotonic()
        with self._lock:
            self._sweep(now)
            tokens, then = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0
            self._buckets[key] = (tokens, now)
            return math.ceil((1 - tokens) / self.rate)

    def _sweep(self, now):
        if now - self._swept < FORGET_AFTER:
            return
        self._buckets = {key: value for key, value in self._buckets.items() if now - value[1] < FORGET_AFTER}
        self._swept = now
