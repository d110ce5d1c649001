"""A room under a class's load: phones sending drawings while projector walls listen, on the production server.

    python bench/room.py [--phones 200] [--every 5] [--seconds 60] [--walls 2] [--workers 1]
    DATABASE_URL=postgresql://... python bench/room.py --workers 2

Starts ``python -m webapp`` (with a scratch samples database unless
DATABASE_URL is set), opens a room and times /api/predict alone. Then
``--phones`` phones each send a real drawn digit every ``--every`` seconds
(each from its own client id, starting at random moments) for ``--seconds``,
while ``--walls`` event streams listen and /api/predict is timed again.
Prints the drawings acknowledged, the events each wall missed (acknowledged
drawings it never received), the delay from sending a drawing to each wall
receiving it, and the prediction latency with and without the room's load.
"""

import argparse
import http.client
import json
import os
import random
import socket
import sys
import tempfile
import threading
import time
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
    parser.add_argument("--walls", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="python -m webapp --workers N")
    parser.add_argument("--out", default="build/room.json")
    return parser.parse_args()


def connect(url, timeout=30):
    host, port = url.removeprefix("http://").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=timeout)


class Wall(threading.Thread):
    """One projector's event stream: when each drawing event arrived."""

    def __init__(self, url, room):
        super().__init__(daemon=True)
        self.connection = connect(url, timeout=None)
        self.connection.request("GET", f"/api/rooms/{room}/events")
        self.socket = self.connection.sock
        self.response = self.connection.getresponse()
        self.arrived = {}

    def run(self):
        kind = None
        try:
            for line in self.response:
                if line.startswith(b"event: "):
                    kind = line[7:].strip()
                elif line.startswith(b"data: ") and kind == b"drawing":
                    self.arrived[json.loads(line[6:])["id"]] = time.monotonic()
        except (OSError, ValueError, http.client.HTTPException):
            return

    def stop(self):
        self.socket.shutdown(socket.SHUT_RDWR)


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
        idle = summary(hammer(url, [pngs[0]], 1, 5.0), 5.0)
        walls = [Wall(url, room) for _ in range(args.walls)]
        for wall in walls:
            wall.start()
        sent, refused = [], []
        until = time.monotonic() + args.seconds
        phones = [threading.Thread(target=phone, args=(url, room, f"phone-{n}", bodies[n % len(bodies)], args.every,
                                                       until, sent, refused)) for n in range(args.phones)]
        for each in phones:
            each.start()
        loaded = summary(hammer(url, [pngs[0]], 1, args.seconds - 2), args.seconds - 2)
        for each in phones:
            each.join()
        time.sleep(2)
        for wall in walls:
            wall.stop()
    delays = delays_ms(walls, sent)
    figures = {
        "phones": args.phones, "every_s": args.every, "seconds": args.seconds, "walls": args.walls,
        "workers": args.workers, "database": "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite",
        "acknowledged": len(sent), "refused": len(refused),
        "refused_statuses": {str(status): refused.count(status) for status in sorted(set(refused))},
        "lost_per_wall": [sum(1 for i, _ in sent if i not in wall.arrived) for wall in walls],
        "delay_ms": {"p50": float(np.percentile(delays, 50)), "p99": float(np.percentile(delays, 99)),
                     "max": float(delays.max())} if len(delays) else None,
        "predict_idle": idle, "predict_during_room": loaded,
    }
    report(figures)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")


def report(f):
    print(f"{f['phones']} phones, a drawing every {f['every_s']:g} s each for {f['seconds']:g} s, {f['walls']} walls, "
          f"{f['workers']} worker(s), {f['database']}")
    print(f"drawings acknowledged {f['acknowledged']}, refused {f['refused']} {f['refused_statuses']}")
    print(f"events lost (acknowledged, never received) per wall: {f['lost_per_wall']}")
    d = f["delay_ms"]
    if d:
        print(f"send to wall: p50 {d['p50']:.0f} ms, p99 {d['p99']:.0f} ms, max {d['max']:.0f} ms")
    idle, loaded = f["predict_idle"], f["predict_during_room"]
    print(f"/api/predict p50 idle {idle['p50_ms']:.2f} ms, during the room {loaded['p50_ms']:.2f} ms "
          f"({loaded['p50_ms'] / idle['p50_ms']:.2f}x), p99 {loaded['p99_ms']:.2f} ms")


if __name__ == "__main__":
    main()
