"""What huge pictures cost the production server: its peak memory over idle, and how long a phone photo takes.

    python bench/memory.py [--clients 16] [--rounds 2]

Each case starts its own ``python -m webapp`` on loopback, so the kernel's
record of the process's peak resident memory (VmHWM) belongs to that case
alone; it is compared with the resident memory once the server is idle and
warm. Every client posts the same picture ``--rounds`` times, all at once.
"""

import argparse
import http.client
import io
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import running_server  # noqa: E402


def digit_picture(width, height, mode="RGB", grain=0.0, seed=0):
    """A dark 7 on light paper filling the middle of a width×height picture, with optional paper grain."""
    picture = Image.new(mode, (width, height), "white")
    side = min(width, height)
    left, top, pen = (width - side // 2) // 2, (height - side // 2) // 2, max(side // 40, 2)
    ImageDraw.Draw(picture).line([(left, top), (left + side // 2, top), (left + side // 5, top + side // 2)],
                                 fill="black", width=pen)
    if grain:
        values = np.asarray(picture, np.float32)
        values += np.random.default_rng(seed).normal(0, grain, values.shape).astype(np.float32)
        picture = Image.fromarray(np.clip(values, 0, 255).astype(np.uint8), mode)
    return picture


def encoded(picture, format, **options):
    buffer = io.BytesIO()
    picture.save(buffer, format=format, **options)
    return buffer.getvalue()


def phone_photo():
    """A 12-megapixel JPEG with paper grain, stored sideways with an EXIF orientation, as phones do."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return encoded(digit_picture(4000, 3000, grain=6.0), "JPEG", quality=92, exif=exif.tobytes())


def kilobytes(status_field, pid):
    return int(re.search(rf"{status_field}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text()).group(1))


def post(url, body, content_type):
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
    try:
        connection.request("POST", "/api/predict", body=body, headers={"Content-Type": content_type})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def burst(url, body, content_type, clients, rounds):
    """Statuses of clients × rounds posts made at once, and the seconds they took."""
    statuses, lock = [], threading.Lock()

    def client():
        for _ in range(rounds):
            status = post(url, body, content_type)
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return statuses, time.perf_counter() - started


def measure(name, body, content_type, clients, rounds):
    with running_server() as (url, process):
        post(url, encoded(digit_picture(280, 280), "PNG"), "image/png")
        idle = kilobytes("VmRSS", process.pid)
        statuses, seconds = burst(url, body, content_type, clients, rounds)
        peak = kilobytes("VmHWM", process.pid)
    answers = ", ".join(f"{statuses.count(s)}× {s}" for s in sorted(set(statuses)))
    print(f"{name} ({len(body) / 1024:.0f} KB), {clients} client(s) × {rounds}: peak {peak / 1024:.0f} MB, "
          f"{(peak - idle) / 1024:.0f} MB over idle ({idle / 1024:.0f} MB), {seconds:.2f} s; answers {answers}")
    return peak - idle


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="only the bursts of the largest accepted PNGs")
    args = parser.parse_args()
    photo = phone_photo()
    cases = [
        ("36-megapixel PNG", encoded(digit_picture(6000, 6000), "PNG"), "image/png"),
        ("16-megapixel colour PNG, the largest accepted", encoded(digit_picture(4600, 3450), "PNG"), "image/png"),
        ("12-megapixel PNG with transparency", encoded(digit_picture(4000, 3000, "RGBA"), "PNG"), "image/png"),
        ("48-megapixel JPEG", encoded(digit_picture(8000, 6000), "JPEG", quality=90), "image/jpeg"),
        ("12-megapixel phone photo (JPEG)", photo, "image/jpeg"),
    ]
    for name, body, content_type in (cases[1:3] if args.quick else cases):
        if not args.quick:
            measure(name, body, content_type, 1, 1)
        measure(name, body, content_type, args.clients, args.rounds)
    if args.quick:
        return
    with running_server() as (url, _):
        post(url, photo, "image/jpeg")
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            assert post(url, photo, "image/jpeg") == 200
            timings.append(time.perf_counter() - started)
    print(f"12-megapixel phone photo, one request at a time: median {np.median(timings):.3f} s, "
          f"max {max(timings):.3f} s over {len(timings)}")


if __name__ == "__main__":
    main()
