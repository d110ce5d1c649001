"""Start ``python -m webapp`` on a free loopback port, the way a user starts it, and stop it afterwards."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(*extra_args, env=None, timeout=60):
    """Yield the base URL and process of a production server once /api/health answers; stop it on exit.

    ``env`` adds environment variables (such as SAMPLES_DB) for the server.
    """
    port = free_port()
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen([sys.executable, "-m", "webapp", "--port", str(port), *extra_args], cwd=ROOT,
                                   env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://{loopback_address(extra_args)}:{port}"
        try:
            wait_until_healthy(url, process, log, timeout)
            yield url, process
        finally:
            stop(process)


def loopback_address(args):
    """The address to reach a server started with these arguments: its ``--host``, unless that is every address."""
    host = args[args.index("--host") + 1] if "--host" in args else "127.0.0.1"
    if host in ("0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def stop(process, seconds=10):
    """Ask a process to stop (SIGTERM); kill it if it has not within ``seconds``."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_healthy(url, process, log, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=2):
                return
        except OSError:
            time.sleep(0.05)
    process.kill()
    process.wait(timeout=10)
    log.seek(0)
    raise RuntimeError(f"the server did not start within {timeout} s:\n{log.read()}")
