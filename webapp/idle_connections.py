"""waitress's event loop, made to cost nothing per idle connection.

waitress asks every open connection whether it wants to read or write, and
hands them all to ``select()``, each time anything happens: with a room's 200
phones and 200 walls connected, each request paid for 400 connections, half a
millisecond on this project's machine. This loop keeps the connections in the
operating system's poller (epoll on Linux, kqueue on macOS), where an idle one
costs nothing, and asks again only the connections that had news or have a
request in hand. Worker threads change a connection's state only while it has
a request in hand, and wake the loop when they do; waitress's maintenance
(closing connections idle for too long) is caught by asking every connection
once a second.
"""

import selectors
import time

from waitress import wasyncore

EVERYONE_EVERY_SECONDS = 1.0


class ReadinessLoop:
    """Stands in for waitress's ``wasyncore`` module in a server: ``server.asyncore = ReadinessLoop``."""

    dispatcher = wasyncore.dispatcher

    @staticmethod
    def loop(timeout=30.0, use_poll=False, map=None, count=None):
        """Serve the connections in ``map`` until it is empty (what ``wasyncore.loop`` does)."""
        watch = Watch(map)
        while map:
            watch.once(timeout)


class Watch:
    """The poller's view of waitress's connections (``map``: file descriptor to channel)."""

    def __init__(self, connections):
        self.connections = connections
        self.selector = selectors.DefaultSelector()
        self.registered = {}
        self.to_ask = set(connections)
        self.everyone_asked_at = time.monotonic()

    def once(self, timeout):
        """Bring the poller up to date with the connections worth asking, wait up to ``timeout`` and serve what is
        ready."""
        if time.monotonic() - self.everyone_asked_at >= EVERYONE_EVERY_SECONDS:
            self.to_ask.update(self.connections)
            self.everyone_asked_at = time.monotonic()
        self.to_ask = {fd for fd in self.to_ask if self.ask(fd)}
        for key, events in self.selector.select(timeout):
            channel = self.connections.get(key.fd)
            if channel is not key.data:
                continue
            if events & selectors.EVENT_READ:
                wasyncore.read(channel)
            if events & selectors.EVENT_WRITE and key.events & selectors.EVENT_WRITE:
                wasyncore.write(channel)
            self.to_ask.add(key.fd)
            if channel.accepting:
                self.to_ask.update(self.unknown())

    def ask(self, fd):
        """Register what connection ``fd`` waits for; whether to ask it again next time (it is busy, or gone from
        the poller only now)."""
        channel = self.connections.get(fd)
        known = self.registered.get(fd)
        if channel is None:
            if known is not None:
                self.forget(fd)
            return False
        if known is not None and known[0] is not channel:
            self.forget(fd)
            known = None
        events = wanted(channel)
        if known is None and events:
            self.selector.register(fd, events, channel)
        elif known is not None and events and events != known[1]:
            self.selector.modify(fd, events, channel)
        elif known is not None and not events:
            self.forget(fd)
        if events:
            self.registered[fd] = (channel, events)
        return events != selectors.EVENT_READ or bool(getattr(channel, "requests", None))

    def unknown(self):
        """Connections the poller has not seen: new ones, and any that took a closed one's number."""
        return [fd for fd, channel in self.connections.items() if self.registered.get(fd, (None,))[0] is not channel]

    def forget(self, fd):
        self.selector.unregister(fd)
        del self.registered[fd]


def wanted(channel):
    """The events a waitress channel waits for, as ``wasyncore.poll`` asks them."""
    events = selectors.EVENT_READ if channel.readable() else 0
    if channel.writable() and not channel.accepting:
        events |= selectors.EVENT_WRITE
    return events
