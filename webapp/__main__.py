"""Serve Digit Pad with a production WSGI server: ``python -m webapp [--host H] [--port P] [--workers N]``.

One process serves with waitress's threads. ``--workers N`` (Linux and macOS)
runs N processes under gunicorn, each with its own model and threads, so that
predictions use every core; saved drawings are then shared through the
database (use ``DATABASE_URL`` when the workers run on several hosts).
"""

import argparse
import ctypes
import ctypes.util
import ipaddress
import os
import socket
import sys

from waitress import create_server

from recognition.classifier import ModelError
from webapp import create_app
from webapp.predicting.served import default_model, model_threads_from_environment
from webapp.web.access import public_host, settings_from_environment
from webapp.web.body_limits import waitress_body_limit

WILDCARDS = ("0.0.0.0", "::")
THREADS = 8
THREADS_PER_WORKER = 4
CONNECTIONS = 1000
KEEPALIVE_SECONDS = 30
"""Open connections a process keeps (waitress's default is 100): a room's phones each keep one open."""
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
BIG_BUFFER = 1024 * 1024
KEPT_FREE_PER_HEAP = 4 * 1024 * 1024


def tune_memory_for_serving():
    """Have glibc hand big buffers back to the system, and keep the small ones a request needs for the next.

    Every buffer of 1 MiB or more gets its own mapping, returned when freed:
    by default glibc raises that threshold after each large free, so the
    pixel buffers of large pictures ended up in per-thread heaps that kept
    them, and a burst of big pictures left the server hundreds of MB larger.
    Fixing that threshold also fixes glibc's trim threshold at 128 KiB, so
    each request's few hundred KB of pictures were returned to the system
    and faulted back in by the next request, a sixth of a prediction's time
    on loopback: each heap now keeps up to 4 MiB free. Elsewhere than glibc this
    does nothing.
    """
    library = ctypes.util.find_library("c")
    mallopt = getattr(ctypes.CDLL(library), "mallopt", None) if library else None
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, BIG_BUFFER)
        mallopt(M_TRIM_THRESHOLD, KEPT_FREE_PER_HEAP)


def parse_args():
    environment = settings_from_environment()
    parser = argparse.ArgumentParser(prog="python -m webapp", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--lan", action="store_true",
                        help="serve a class on this local network: listen on every address and put this machine's "
                             "network address in rooms' QR codes and links")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)),
                        help="port (default: $PORT or 8000)")
    parser.add_argument("--threads", type=int,
                        help="request threads per process (default 8; 4 with --workers, where processes, not "
                             "threads, use the cores and more threads only contend for Python's lock); room streams "
                             "that stay open get ROOM_WAITING_STREAMS threads more")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes to serve with (default 1; more needs gunicorn, on Linux and macOS)")
    parser.add_argument("--public-url", default=environment["PUBLIC_URL"],
                        help="the URL people open when it serves a network, e.g. https://digits.example.org; "
                             "its host name is trusted (default: $PUBLIC_URL)")
    parser.add_argument("--behind-proxy", action="store_true", default=environment["BEHIND_PROXY"],
                        help="a reverse proxy (TLS) forwards the requests: believe its X-Forwarded-* headers")
    return parser.parse_args()


def model_threads(workers):
    """Threads each model call uses: two, on a machine with two cores or more, when one process serves (a call
    then takes two thirds of the time, with the same answer, and 16 clients are served as many requests a
    second); one with workers, whose processes already keep the cores busy. ``MODEL_THREADS`` overrides it."""
    return model_threads_from_environment(default=1 if workers > 1 else min(2, os.cpu_count() or 1))


def as_in_urls(host):
    """An address as URLs and Host headers write it: an IPv6 one in brackets."""
    return f"[{host}]" if ":" in host else host


def settings(args):
    """App settings from the command line; ValueError says what is missing or wrong.

    The address served is trusted as a host name too (an IPv6 one as browsers
    send it, ``[::1]``), unless it is every address (0.0.0.0), which says
    nothing of the name people will use.
    """
    trusted = settings_from_environment()["TRUSTED_HOSTS"]
    if args.lan:
        args.host, args.public_url = "0.0.0.0", lan_url(network_address(), args.port)
    if args.public_url:
        public_host(args.public_url)
    if args.host in WILDCARDS:
        if not (args.public_url or trusted):
            raise ValueError(f"serving every address ({args.host}) needs the name people will use: "
                             "add --public-url http://NAME:PORT (or set TRUSTED_HOSTS=NAME,...)")
    else:
        trusted.append(as_in_urls(args.host))
    return {"PUBLIC_URL": args.public_url, "BEHIND_PROXY": args.behind_proxy, "TRUSTED_HOSTS": trusted}


def network_address():
    """This machine's address on its local network; ValueError when it has none but loopback.

    Connecting a UDP socket only picks the route (and so the address) the system would use: nothing is sent.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            address = probe.getsockname()[0]
        except OSError:
            address = "127.0.0.1"
    if ipaddress.ip_address(address).is_loopback or address == "0.0.0.0":
        raise ValueError("--lan: this machine has no network address; join a Wi-Fi or wired network first")
    return address


def lan_url(address, port):
    """The address phones on the local network open."""
    return f"http://{address}:{port}"


def main():
    args = parse_args()
    tune_memory_for_serving()
    try:
        app_settings = {**settings(args), "MODEL_THREADS": model_threads(args.workers)}
        app = create_app(app_settings)
        model = default_model(app).classifier.load()
        if args.workers < 1:
            raise ValueError("--workers must be 1 or more")
        if args.workers > 1:
            refuse_a_port_in_use(args.host, args.port)
        else:
            server = single_process_server(app, args)
    except OSError as error:
        print(f"digitpad: cannot serve {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        return 1
    except (ModelError, ValueError) as error:
        print(f"digitpad: {error}", file=sys.stderr)
        return 1
    processes = f" in {args.workers} processes" if args.workers > 1 else ""
    print(f"Digit Pad is serving model {model.name} at http://{as_in_urls(args.host)}:{args.port}/"
          f"{processes}", flush=True)
    if args.lan:
        print(f"Phones on this network join rooms at {args.public_url}/room\n"
              f"Start a room from http://127.0.0.1:{args.port}/ on this computer.", flush=True)
    if args.workers > 1:
        return serve_with_workers(args, app_settings, stream_threads(app))
    server.run()
    return 0


def stream_threads(app):
    """Threads added for the room streams that wait (webapp.rooms.routes), so they never take the predictions'."""
    return app.config["ROOM_WAITING_STREAMS"]


def single_process_server(app, args):
    """waitress, listening already (OSError if the port is taken), so that "serving" is printed only when it is."""
    # Forwarded headers reach the app, which believes them only with --behind-proxy (ProxyFix)
    # and otherwise takes a forwarded request for a stranger's, never for this machine's.
    threads = (args.threads or THREADS) + stream_threads(app)
    return create_server(app, host=args.host, port=args.port, threads=threads, ident="digitpad",
                         max_request_body_size=waitress_body_limit(app), clear_untrusted_proxy_headers=False,
                         connection_limit=CONNECTIONS)


def refuse_a_port_in_use(host, port):
    """OSError if another program listens there (with reuse_port, gunicorn would share the port with it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, port))


def serve_with_workers(args, app_settings, waiting_stream_threads):
    """Serve with gunicorn: ``args.workers`` processes, each building its own app and model after the fork."""
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:
        print("digitpad: --workers needs gunicorn, which runs on Linux and macOS (pip install gunicorn)",
              file=sys.stderr)
        return 1
    options = {
        "bind": f"{as_in_urls(args.host)}:{args.port}", "workers": args.workers, "worker_class": "gthread",
        "threads": (args.threads or THREADS_PER_WORKER) + waiting_stream_threads, "preload_app": False,
        "proc_name": "digitpad",
        "control_socket_disable": True,
        # Spreads connections evenly over the workers; without it one process often took most of them.
        "reuse_port": True,
        # Idle connections wait in each worker's poller, not in a thread: phones drawing every few seconds keep theirs.
        "keepalive": KEEPALIVE_SECONDS,
        # As with waitress: the app alone decides about forwarded headers (--behind-proxy).
        "forwarded_allow_ips": "",
    }

    class Workers(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return create_app(app_settings)

    Workers().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
