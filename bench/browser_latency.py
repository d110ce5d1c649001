"""Time from pen-up to updated bars in headless Chromium, measured by the page's own Performance API marks.

    python bench/browser_latency.py [--drawings 30]

Starts the production server on loopback, draws real pen-drawn digits with
the mouse, and reads the ``pen-up`` and ``result-shown`` marks the page sets.
"""

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.browser import CHROMIUM_ARGS, DESKTOP, READY, draw_with_mouse  # noqa: E402
from bench.server import running_server  # noqa: E402
from training.data import DRAWINGS, load_drawings  # noqa: E402

LATENCIES = """() => {
  const marks = performance.getEntriesByType('mark');
  const penUp = marks.filter(m => m.name === 'pen-up').at(-1);
  const shown = marks.filter(m => m.name === 'result-shown' && m.startTime >= penUp.startTime)[0];
  return shown.startTime - penUp.startTime;
}"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drawings", type=int, default=30)
    parser.add_argument("--strokes", default=str(DRAWINGS))
    args = parser.parse_args()
    records = load_drawings(args.strokes)[: args.drawings]
    from playwright.sync_api import sync_playwright

    with running_server() as (url, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        page = browser.new_context(**DESKTOP).new_page()
        page.goto(url + "/")
        timings = []
        for record in records:
            if page.is_enabled("#clear"):
                page.click("#clear")
            draw_with_mouse(page, record["strokes"])
            page.wait_for_selector(READY, state="attached")
            timings.append(page.evaluate(LATENCIES))
        browser.close()
    timings = np.array(timings)
    figures = {"drawings": len(timings), "p50_ms": float(np.median(timings)),
               "p90_ms": float(np.percentile(timings, 90)), "max_ms": float(timings.max())}
    print(f"pen-up to updated bars over {len(timings)} drawings: p50 {figures['p50_ms']:.1f} ms, "
          f"p90 {figures['p90_ms']:.1f} ms, max {figures['max_ms']:.1f} ms")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
