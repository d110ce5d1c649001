"""How fast Digit Pad answers, against the usual Flask + ``model.predict()`` server, in one run.

    python bench/latency.py [--seconds 5] [--out build/latency.json] [--model models/NAME.tflite]

Starts the production server as ``python -m webapp`` does and measures, on
loopback: the time from process start to the first successful prediction;
/api/predict latency and throughput at 1, 4 and 16 concurrent clients for a
typical 280×280 canvas PNG; the same at one client for a writer with 30 saved
drawings (adapted answers), and how long saving those took; at one client with
what the "Look inside" panel asks for (every model's answer, the explanation,
the preprocessing steps, and all three); 16 clients against one process and
against ``--workers`` processes, driven by wrk when it is installed (``apt-get
install wrk``); the server's resident memory; the first load
of each page in bytes; and, one client taking turns between them, /api/predict
against the usual Flask + ``model.predict()`` server with the same model
(``bench/usual_server.py``): their ratio is the speed-up. In this process it times the preprocessing, the bare model
call (LiteRT, and Keras through a traced function) and the tutorial pattern
``model.predict()`` on one image. Prints the figures and writes them as JSON.
"""

import argparse
import http.client
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import drawing_pngs, hammer, post_png, summary  # noqa: E402
from bench.server import free_port, running_server, stop  # noqa: E402
from recognition.model_files import DEFAULT_MODEL  # noqa: E402
from recognition.pictures import data_url, png_bytes  # noqa: E402
from recognition.preprocess import to_mnist  # noqa: E402
from recognition.strokes import fit_to_pad, render_recorded  # noqa: E402
from training.data import DRAWINGS, load_drawings  # noqa: E402

PAGES = ("/", "/session", "/samples", "/model")
WRITER = "bench writer"
LOOK_INSIDE = {"compare": "?models=all", "explain": "?explain=1", "steps": "?steps=1",
               "look_inside": "?models=all&explain=1&steps=1"}
"""/api/predict with the panel's options, each timed at one client in the same run as the plain answer."""
ASSET = re.compile(r"""<(?:script|img)\b[^>]*\bsrc="([^"]+)"|<link\b[^>]*\bhref="([^"]+)"|"""
                   r"""\bfrom\s+"(\./[^"]+)"|\bimport\s+"(\./[^"]+)\"""")
"""What a page loads: scripts, pictures, styles and icons, and a module's imports; not the pages it links to."""


def median_ms(function, repeats):
    function()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return float(np.median(timings) * 1000)


def resident_mb(pid):
    """Resident memory of a process and its children (workers), in MB each."""
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    sizes = {}
    for each in pids:
        status = Path(f"/proc/{each}/status").read_text()
        sizes[each] = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024
    return sizes


def page_weight(url, page):
    """Bytes of one page and everything it loads on a first visit (styles, scripts and their imports, icon)."""
    seen, queue, total = set(), [page], 0
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        with urllib.request.urlopen(url + path) as response:
            body = response.read()
        total += len(body)
        if path == page or path.endswith(".js"):
            base = path.rsplit("/", 1)[0]
            for match in ASSET.finditer(body.decode()):
                found = next(group for group in match.groups() if group)
                queue.append(found if found.startswith("/") else f"{base}/{found[2:]}")
    return total, sorted(seen)


def time_to_first_prediction(png, extra_args):
    started = time.perf_counter()
    with running_server(*extra_args) as (url, process):
        connection = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), timeout=10)
        status, _ = post_png(connection, png)
        connection.close()
        assert status == 200
        return time.perf_counter() - started


def workers_figures(server_args, workers, pngs, seconds):
    """16 clients against one server process and against N, driven by the same client, in this run.

    The client is wrk when it is installed (a C program that barely loads the
    machine's cores itself); otherwise this script's threads, which take a
    good part of a core and so understate what more processes give.
    """
    figures = {"count": workers, "client": "wrk" if shutil.which("wrk") else "python threads"}
    for name, extra in (("one_process", []), ("workers", ["--workers", str(workers)])):
        with running_server(*server_args, *extra) as (url, process):
            many_clients(url, pngs[0], 16, 3)  # every process loads its model on its first requests
            figures[name] = many_clients(url, pngs[0], 16, seconds)
            figures[name]["resident_mb"] = resident_mb(process.pid)
    return figures


def many_clients(url, png, clients, seconds):
    if not shutil.which("wrk"):
        started = time.perf_counter()
        results = hammer(url, [png], clients, seconds)
        return {**summary(results, time.perf_counter() - started), "errors": sum(1 for r in results if r[1] != 200)}
    with tempfile.TemporaryDirectory() as scratch:
        body, script = Path(scratch) / "body.png", Path(scratch) / "post.lua"
        body.write_bytes(png)
        script.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "image/png"\n'
                          f'local f = io.open("{body}", "rb")\nwrk.body = f:read("*a")\nf:close()\n')
        output = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{seconds:g}s", "--latency", "-s", str(script),
                                 url + "/api/predict"], capture_output=True, text=True, check=True).stdout
    return {"throughput_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50_ms": wrk_ms(output, "50%"), "p99_ms": wrk_ms(output, "99%"),
            "errors": int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", output)) else 0}


def wrk_ms(output, percentile):
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)\b", output).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def adapted_figures(url, png, seconds):
    """Save 3 drawings of each digit under one writer's name, then time predictions adapted to them."""
    records = load_drawings(DRAWINGS)
    taught = [next(r for r in records[index::10] if r["label"] == digit) for digit in range(10) for index in range(3)]
    save_ms, who = [], {"writer": WRITER}
    for record in taught:
        body = json.dumps({"image": data_url(png_bytes(render_recorded(record["strokes"]))), "label": record["label"],
                           "strokes": fit_to_pad(record["strokes"]), **who}).encode()
        started = time.perf_counter()
        request = urllib.request.Request(url + "/api/samples", data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request) as response:
            assert response.status == 201
            who.setdefault("writer_key", json.loads(response.read()).get("writer_key"))
        save_ms.append((time.perf_counter() - started) * 1000)
    general, adapted = alternating([url + "/api/predict", url + "/api/predict?" + urllib.parse.urlencode(who)], png,
                                   seconds)
    adapted["adapted"] = all(json.loads(body)["adapted"] for body in adapted.pop("bodies"))
    general.pop("bodies")
    return {"adapted_clients_1": adapted, "general_alongside_adapted": general,
            "save_with_writer_p50_ms": float(np.median(save_ms))}


def alternating(urls, png, seconds, turn_seconds=0.0):
    """One client posting the same picture to each URL in turn (a connection to each), so that drift in the
    machine's speed over the run falls on all of them alike: a summary for each URL (with the answers' bodies).

    Each turn posts to one URL for ``turn_seconds`` (at least once).
    """
    connections = []
    for url in urls:
        address = urllib.parse.urlsplit(url)
        connections.append((http.client.HTTPConnection(address.hostname, address.port, timeout=30),
                            urllib.parse.urlunsplit(("", "", address.path, address.query, ""))))
    timings, bodies, errors = [[] for _ in urls], [[] for _ in urls], [0] * len(urls)
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for index, (connection, path) in enumerate(connections):
            turn_ends = time.perf_counter() + turn_seconds
            while True:
                started = time.perf_counter()
                status, body = post_png(connection, png, path)
                timings[index].append((time.perf_counter() - started, status, index, body))
                errors[index] += status != 200
                bodies[index].append(body)
                if time.perf_counter() >= turn_ends:
                    break
    for connection, _ in connections:
        connection.close()
    return [{**summary(timing, seconds / len(urls)), "errors": error, "bodies": body}
            for timing, error, body in zip(timings, errors, bodies)]


@contextmanager
def usual_server(keras_model, timeout=180):
    """Yield the URL of ``bench/usual_server.py`` serving the model, once it answers a prediction; stop it after."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "usual_server.py"), "--port", str(port),
                                "--model", str(keras_model)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_first_answer(url, process, timeout)
        yield url
    finally:
        stop(process)


def wait_for_first_answer(url, process, timeout):
    png = drawing_pngs(1)[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            request = urllib.request.Request(url + "/api/predict", data=png, headers={"Content-Type": "image/png"})
            with urllib.request.urlopen(request, timeout=30):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the usual server did not answer within {timeout} s")


def beside_the_usual_server(url, png, seconds, model):
    """/api/predict against the usual Flask + ``model.predict()`` server with the same model: one client
    taking half-second turns between them, for twice ``seconds`` (the usual server answers a few dozen times a
    second). Turns, not single requests: after each ``model.predict()`` TensorFlow's threads keep spinning for
    a while on both cores, and that would be timed as Digit Pad's."""
    with usual_server(model.with_suffix(".keras")) as usual_url:
        alternating([usual_url + "/api/predict"], png, 1.0)
        ours, usual = alternating([url + "/api/predict", usual_url + "/api/predict"], png, 2 * seconds,
                                  turn_seconds=0.5)
    digits = {json.loads(body)["digit"] for body in ours.pop("bodies") + usual.pop("bodies")}
    return {"digit_pad": ours, "usual_server": usual, "same_digit": len(digits) == 1,
            "ratio": usual["p50_ms"] / ours["p50_ms"]}


def in_process_figures(png, repeats, model):
    from PIL import Image

    from recognition.classifier import Classifier
    from recognition.explainer import Explainer

    image = to_mnist(Image.open(io.BytesIO(png)))
    keras_path = model.with_suffix(".keras")
    litert, traced, explainer = Classifier(model), Classifier(keras_path), Explainer(model)
    figures = {
        "preprocess_ms": median_ms(lambda: to_mnist(Image.open(io.BytesIO(png))), repeats),
        "litert_call_ms": median_ms(lambda: litert.probabilities(image), repeats),
        "keras_traced_call_ms": median_ms(lambda: traced.probabilities(image), repeats),
        "litert_explanation_ms": median_ms(lambda: explainer.evidence(image, 1, 7), repeats // 5),
    }
    import keras

    model = keras.saving.load_model(keras_path, compile=False)
    batch = image[None, :, :, None]
    figures["keras_model_predict_ms"] = median_ms(lambda: model.predict(batch, verbose=0), 30)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5, help="per concurrency level")
    parser.add_argument("--out", default="build/latency.json")
    parser.add_argument("--server-args", default="", help="extra options for python -m webapp")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="also serve 16 clients with python -m webapp --workers N (default: one per CPU)")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL,
                        help="the .tflite to serve and time, with its .keras beside it (default: the shipped one)")
    args = parser.parse_args()
    os.environ["MODEL"] = str(args.model.resolve())
    os.environ["SAMPLES_DB"] = str(Path(tempfile.mkdtemp(prefix="digitpad-latency-")) / "samples.sqlite3")
    server_args = args.server_args.split()
    pngs = drawing_pngs(50)
    typical = pngs[0]
    figures = {"typical_png_bytes": len(typical)}
    figures["seconds_to_first_prediction"] = time_to_first_prediction(typical, server_args)
    with running_server(*server_args) as (url, process):
        hammer(url, pngs, 1, 1.0)
        for clients in (1, 4, 16):
            started = time.perf_counter()
            results = hammer(url, [typical], clients, args.seconds)
            figures[f"clients_{clients}"] = summary(results, time.perf_counter() - started)
            figures[f"clients_{clients}"]["errors"] = sum(1 for r in results if r[1] != 200)
        figures.update(adapted_figures(url, typical, args.seconds))
        for option, query in LOOK_INSIDE.items():
            hammer(url, [typical], 1, 0.5, path="/api/predict" + query)
            started = time.perf_counter()
            results = hammer(url, [typical], 1, args.seconds, path="/api/predict" + query)
            figures[option] = summary(results, time.perf_counter() - started)
            figures[option]["errors"] = sum(1 for r in results if r[1] != 200)
            figures[option]["vs_default_p50"] = figures[option]["p50_ms"] / figures["clients_1"]["p50_ms"]
        figures["resident_mb"] = resident_mb(process.pid)
        figures["usual"] = beside_the_usual_server(url, typical, args.seconds, args.model)
        figures["pages"] = {page: dict(zip(("bytes", "files"), page_weight(url, page))) for page in PAGES}
    if args.workers > 1:
        figures["workers"] = workers_figures(server_args, args.workers, pngs, args.seconds)
    figures.update(in_process_figures(typical, 500, args.model))
    report(figures)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"wrote {out}")


def report(f):
    print(f"model: {os.environ['MODEL']}")
    print(f"start to first prediction: {f['seconds_to_first_prediction']:.2f} s")
    for clients in (1, 4, 16):
        c = f[f"clients_{clients}"]
        print(f"/api/predict, {clients:2d} client(s): p50 {c['p50_ms']:.2f} ms, p99 {c['p99_ms']:.2f} ms, "
              f"{c['throughput_per_s']:.0f} requests/s, {c['errors']} errors")
    if "workers" in f:
        w = f["workers"]
        for name, label in (("one_process", "one process"), ("workers", f"--workers {w['count']}")):
            c = w[name]
            print(f"/api/predict, 16 clients ({w['client']}), {label}: p50 {c['p50_ms']:.2f} ms, "
                  f"p99 {c['p99_ms']:.2f} ms, {c['throughput_per_s']:.0f} requests/s, {c['errors']} errors; resident "
                  + ", ".join(f"{mb:.0f}" for mb in c["resident_mb"].values()) + " MB")
        print(f"--workers {w['count']} serves {w['workers']['throughput_per_s'] / w['one_process']['throughput_per_s']:.2f}x "
              "the requests of one process")
    a, g = f["adapted_clients_1"], f["general_alongside_adapted"]
    print(f"/api/predict adapted to a writer with 30 drawings, 1 client, taking turns with the general answer: p50 "
          f"{a['p50_ms']:.2f} ms against {g['p50_ms']:.2f} ms ({a['p50_ms'] / g['p50_ms']:.2f}x), p99 {a['p99_ms']:.2f} ms, "
          f"{a['errors']} errors, all adapted: {a['adapted']}; saving a drawing under a name: p50 "
          f"{f['save_with_writer_p50_ms']:.1f} ms")
    for option, query in LOOK_INSIDE.items():
        c = f[option]
        print(f"/api/predict{query}, 1 client: p50 {c['p50_ms']:.2f} ms ({c['vs_default_p50']:.2f}x the plain "
              f"answer), p99 {c['p99_ms']:.2f} ms, {c['errors']} errors")
    print("resident memory: " + ", ".join(f"pid {pid} {mb:.0f} MB" for pid, mb in f["resident_mb"].items()))
    for page, weight in f["pages"].items():
        print(f"page {page} first load: {weight['bytes'] / 1024:.1f} KB in {len(weight['files'])} files")
    print(f"in process: preprocessing {f['preprocess_ms']:.2f} ms, LiteRT call {f['litert_call_ms']:.3f} ms, "
          f"LiteRT explanation {f['litert_explanation_ms']:.2f} ms, "
          f"Keras traced call {f['keras_traced_call_ms']:.2f} ms, "
          f"Keras model.predict() {f['keras_model_predict_ms']:.1f} ms")
    u = f["usual"]
    print(f"ratio to the usual server: {u['ratio']:.1f}× (p50 at one client taking turns between them: "
          f"/api/predict {u['digit_pad']['p50_ms']:.2f} ms, the usual Flask + model.predict() server with the same "
          f"model {u['usual_server']['p50_ms']:.1f} ms; same digit: {u['same_digit']}; errors "
          f"{u['digit_pad']['errors']} and {u['usual_server']['errors']})")

if __name__ == "__main__":
    main()
