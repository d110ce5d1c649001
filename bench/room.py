"""A room under a class's load: phones sending drawings while projector walls listen, on the production server.

    python bench/room.py [--phones 200] [--every 5] [--seconds 60] [--walls 200] [--workers 1]
    DATABASE_URL=postgresql://... python bench/room.py --workers 2

Starts ``python -m webapp`` (with a scratch samples database unless
DATABASE_URL is set), opens a room and times /api/predict alone. Then
``--phones`` phones each send a real drawn digit every ``--every`` seconds
(each from its own client id, starting at random moments) for ``--seconds``,
while ``--walls`` walls follow the room's event stream as browsers do
(asking again after each short poll, from the last event they saw) and
/api/predict is timed again.
Prints the drawings acknowledged, the events each wall missed (acknowledged
drawings it never received), the delay from sending a drawing to each wall
receiving it, and the prediction latency with and without the room's load
(timed from a process of its own, as a person's browser would be), and also
beside as many idle connections as phones and walls together, to tell the
cost of open connections from the cost of the room's traffic.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import drawing_pngs, hammer, summary  # noqa: E402
from bench.server import running_server  # noqa: E402
from recognition.pictures import data_url  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--every", type=float, default=5.0, help="seconds between one phone's drawings")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--walls", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1, help="python -m webapp --workers N")
    parser.add_argument("--out", default="build/room.json")
    return parser.parse_args()


def connect(url, timeout=30, source=None):
    host, port = url.removeprefix("http://").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=timeout,
                                      source_address=None if source is None else (source, 0))


class Wall(threading.Thread):
    """One projector's event stream, followed as a browser's EventSource does: when a stream ends it asks again
    after the ``retry`` the server gave, from the last event it saw. Records when each drawing event arrived."""

    def __init__(self, url, room, source):
        super().__init__(daemon=True)
        self.url = url
        self.source = source
        self.path = f"/api/rooms/{room}/events"
        self.last_id = "0"
        self.retry_s = 1.0
        self.arrived = {}
        self.streams = 0
        self.failures = 0
        self.stopped = threading.Event()

    def run(self):
        connection = connect(self.url, source=self.source)
        while not self.stopped.is_set():
            try:
                connection.request("GET", self.path, headers={"Last-Event-ID": self.last_id})
                response = connection.getresponse()
                if response.status != 200:
                    response.read()
                    raise http.client.HTTPException(response.status)
                self.read(response)
                self.streams += 1
            except (OSError, ValueError, http.client.HTTPException):
                self.failures += 1
                connection.close()
                connection = connect(self.url, source=self.source)
            self.stopped.wait(self.retry_s)
        connection.close()

    def read(self, response):
        kind = None
        for line in response:
            if line.startswith(b"retry: "):
                self.retry_s = int(line[7:]) / 1000
            elif line.startswith(b"id: "):
                self.last_id = line[4:].strip().decode()
            elif line.startswith(b"event: "):
                kind = line[7:].strip()
            elif line.startswith(b"data: ") and kind == b"drawing":
                self.arrived[json.loads(line[6:])["id"]] = time.monotonic()

    def stop(self):
        self.stopped.set()


def wall_address(n):
    """A loopback address of its own for wall ``n``: each wall is a client of its own, as projectors are."""
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


def phone(url, room, name, body, every, until, sent, refused):
    """Send the same drawing every ``every`` seconds from a random start until ``until``; record each 201."""
    connection = connect(url)
    next_send = time.monotonic() + random.uniform(0, every)
    while next_send < until:
        time.sleep(max(0.0, next_send - time.monotonic()))
        started = time.monotonic()
        for attempt in range(2):
            try:
                connection.request("POST", f"/api/rooms/{room}/drawings", body=body,
                                   headers={"Content-Type": "application/json", "X-Client-Id": name})
                response = connection.getresponse()
                break
            except (ConnectionError, http.client.RemoteDisconnected):
                connection.close()  # the server closed an idle connection, as browsers expect it may
                connection = connect(url)
        answer = response.read()
        if response.status == 201:
            sent.append((json.loads(answer)["id"], started))
        else:
            refused.append(response.status)
        next_send += every
    connection.close()


def timed_predictions(url, png, seconds):
    """/api/predict latency at one client, run in a process of its own (as a person's browser is): in this one,
    its thread would wait behind the phones' and walls' threads for Python's lock, and time them too."""
    return summary(hammer(url, [png], 1, seconds), seconds)


@contextmanager
def idle_connections(url, room, count):
    """``count`` keep-alive connections that have looked at the room once and then say nothing, as phones between
    drawings."""
    connections = [connect(url, source=wall_address(n)) for n in range(count)]
    for connection in connections:
        connection.request("GET", f"/api/rooms/{room}")
        connection.getresponse().read()
    try:
        yield
    finally:
        for connection in connections:
            connection.close()


def delays_ms(walls, sent):
    return np.array([(wall.arrived[i] - started) * 1000 for wall in walls for i, started in sent if i in wall.arrived])


def main():
    args = parse_args()
    random.seed(0)
    env = {} if os.environ.get("DATABASE_URL") else {
        "SAMPLES_DB": str(Path(tempfile.mkdtemp(prefix="digitpad-room-")) / "samples.sqlite3")}
    pngs = drawing_pngs(50)
    bodies = [json.dumps({"image": data_url(png)}) for png in pngs]
    with running_server("--workers", str(args.workers), env=env) as (url, _):
        connection = connect(url)
        connection.request("POST", "/api/rooms")
        room = json.loads(connection.getresponse().read())["room"]
        hammer(url, pngs, 1, 1.0)
        timer = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        idle = timer.submit(timed_predictions, url, pngs[0], 5.0).result()
        with idle_connections(url, room, args.phones + args.walls):
            beside_idle = timer.submit(timed_predictions, url, pngs[0], 5.0).result()
        walls = [Wall(url, room, wall_address(n)) for n in range(args.walls)]
        for wall in walls:
            wall.start()
        sent, refused = [], []
        until = time.monotonic() + args.seconds
        phones = [threading.Thread(target=phone, args=(url, room, f"phone-{n}", bodies[n % len(bodies)], args.every,
                                                       until, sent, refused)) for n in range(args.phones)]
        for each in phones:
            each.start()
        loaded = timer.submit(timed_predictions, url, pngs[0], args.seconds - 2).result()
        timer.shutdown()
        for each in phones:
            each.join()
        time.sleep(2)
        for wall in walls:
            wall.stop()
        for wall in walls:
            wall.join()
    delays = delays_ms(walls, sent)
    figures = {
        "phones": args.phones, "every_s": args.every, "seconds": args.seconds, "walls": args.walls,
        "workers": args.workers, "database": "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite",
        "acknowledged": len(sent), "refused": len(refused),
        "refused_statuses": {str(status): refused.count(status) for status in sorted(set(refused))},
        "lost_total": sum(1 for wall in walls for i, _ in sent if i not in wall.arrived),
        "walls_that_lost_any": sum(1 for wall in walls if any(i not in wall.arrived for i, _ in sent)),
        "streams_per_wall": float(np.mean([wall.streams for wall in walls])),
        "failed_streams": sum(wall.failures for wall in walls),
        "delay_ms": {"p50": float(np.percentile(delays, 50)), "p99": float(np.percentile(delays, 99)),
                     "max": float(delays.max())} if len(delays) else None,
        "predict_idle": idle, "predict_beside_idle_connections": beside_idle, "predict_during_room": loaded,
    }
    report(figures)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")


def report(f):
    print(f"{f['phones']} phones, a drawing every {f['every_s']:g} s each for {f['seconds']:g} s, {f['walls']} walls, "
          f"{f['workers']} worker(s), {f['database']}")
    print(f"drawings acknowledged {f['acknowledged']}, refused {f['refused']} {f['refused_statuses']}")
    print(f"events lost (acknowledged, never received): {f['lost_total']} over all walls "
          f"({f['walls_that_lost_any']} walls lost any); streams per wall {f['streams_per_wall']:.0f}, "
          f"failed streams {f['failed_streams']}")
    d = f["delay_ms"]
    if d:
        print(f"send to wall: p50 {d['p50']:.0f} ms, p99 {d['p99']:.0f} ms, max {d['max']:.0f} ms")
    idle, loaded = f["predict_idle"], f["predict_during_room"]
    print(f"/api/predict p50 idle {idle['p50_ms']:.2f} ms, during the room {loaded['p50_ms']:.2f} ms "
          f"({loaded['p50_ms'] / idle['p50_ms']:.2f}x), p99 {loaded['p99_ms']:.2f} ms, max {loaded['max_ms']:.0f} ms")
    beside = f["predict_beside_idle_connections"]
    print(f"/api/predict p50 beside {f['phones'] + f['walls']} idle connections {beside['p50_ms']:.2f} ms "
          f"({beside['p50_ms'] / idle['p50_ms']:.2f}x idle)")


if __name__ == "__main__":
    main()
