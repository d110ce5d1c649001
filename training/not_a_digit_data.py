"""Drawings for fitting and measuring the not-a-digit detector: digits, doodles and marks, drawn on the pad.

A set is a list of jobs, each a picture-making function and its arguments;
every random choice comes from a generator keyed on the job's own names and
numbers, so a set renders the same in any order and over any number of
processes. Each picture goes through the app's own ``to_mnist``; the model is
run separately (:func:`read_model`), so one rendering serves any model.
"""

import gzip
import json
import os
import zlib
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
from PIL import Image

from recognition.model_files import PROJECT_ROOT
from recognition.pad import PAD_SIZE
from recognition.preprocess import ink_bounding_box, to_mnist
from recognition.strokes import render_strokes
from recognition.variation import EDGE, hand_variation, natural_strokes
from training.drawn import NATURAL_SIZES, pad_picture
from training.marks import mark_strokes

DOODLES = PROJECT_ROOT.parent / "shared" / "data" / "quickdraw" / "doodles.json.gz"
"""3,350 Quick, Draw! doodles of 134 kinds of thing (CC BY 4.0; credit in the README beside them)."""

MNIST = PROJECT_ROOT.parent / "shared" / "data" / "mnist.npz"

HELD_OUT_SHARE = 1 / 3
"""Share of the doodle categories never used for fitting or choosing anything: they measure the detector."""

CATEGORY_SEED = 20261130
"""Seed of the split of doodle categories into fitting and held-out ones; fixed once, never tuned."""

FITTING_SIZES = (0.2, 0.95)
"""Longer side of a drawing rendered for fitting, as a fraction of the pad: wider than the natural sizes."""

FITTING_PENS = (10.0, 28.0)


def load_doodles(path=DOODLES):
    """Records ``{"category", "strokes"}`` from the Quick, Draw! sample."""
    with gzip.open(path, "rb") as stream:
        return json.loads(stream.read())


def split_categories(categories, seed=CATEGORY_SEED):
    """(fitting, held out) category names: a seeded third of the sorted names is held out."""
    names = sorted(set(categories))
    held = {str(name) for name in
            np.random.default_rng(seed).choice(names, round(len(names) * HELD_OUT_SHARE), replace=False)}
    return [name for name in names if name not in held], sorted(held)


def generator(*parts):
    """A random generator keyed on names and numbers."""
    return np.random.default_rng(zlib.crc32(json.dumps(parts).encode()))


def varied_picture(strokes, key):
    """Strokes redrawn by a hand (:func:`hand_variation`) at a random fitting size, place and pen."""
    rng = generator(*key)
    pen_width = rng.uniform(*FITTING_PENS)
    placed = natural_strokes(hand_variation(strokes, rng), rng, FITTING_SIZES, pen_width)
    return render_strokes(placed, pen_width=pen_width)


def natural_picture(strokes, key, pen_width):
    """Strokes as drawn at a natural size and place with one pen, unvaried: how benchmarks draw."""
    placed = natural_strokes(strokes, generator(*key), NATURAL_SIZES, pen_width)
    return render_strokes(placed, pen_width=pen_width)


def pen_digit_picture(record, index, seed, pen_width):
    """A pen digit as ``bench/drawn_accuracy.py`` draws it "natural": a size and place from (seed, index)."""
    return pad_picture(record, pen_width, "natural", seed, index)


def mark_picture(kind, key, pen_width=None):
    """A mark of ``kind`` with the given pen, or a random fitting pen."""
    rng = generator(*key)
    pen_width = rng.uniform(*FITTING_PENS) if pen_width is None else pen_width
    return render_strokes(mark_strokes(kind, rng, pen_width), pen_width=pen_width)


def mnist_picture(image, key, sizes=FITTING_SIZES):
    """An MNIST digit (uint8, white on black) enlarged onto the pad, dark on white, at a random size and place.

    Its strokes grow with it, so a large digit has a bold pen: about the range of the page's pens.
    """
    rng = generator(*key)
    crop = image[ink_bounding_box(image / 255.0)]
    scale = rng.uniform(*sizes) * PAD_SIZE / max(crop.shape)
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    grown = Image.fromarray(crop).resize(size, Image.Resampling.BICUBIC)
    room = np.maximum(PAD_SIZE - 2 * EDGE - np.array(size), 0)
    left, top = (EDGE + rng.uniform(0.0, 1.0, 2) * room).astype(int)
    pad = Image.new("L", (PAD_SIZE, PAD_SIZE), 0)
    pad.paste(grown, (int(left), int(top)))
    return Image.eval(pad, lambda value: 255 - value)


def prepared(make, *args):
    """The 28×28 input of the picture ``make(*args)`` draws, or None when it holds no digit."""
    return to_mnist(make(*args))


def render(jobs, processes=1):
    """[prepared(*job) for job in jobs], over ``processes`` processes: the same results in the same order."""
    if processes <= 1:
        return [prepared(*job) for job in jobs]
    with ProcessPoolExecutor(min(processes, os.cpu_count() or 1), mp_context=get_context("spawn")) as pool:
        return list(pool.map(_prepared_job, jobs, chunksize=64))


def _prepared_job(job):
    return prepared(*job)


def render_set(jobs, info, processes=1):
    """A rendered set: ``images`` (N, 28, 28) and per-drawing ``info`` columns.

    Drawings ``to_mnist`` found no digit in are left out; ``empty`` counts them per ``info["kind"]``.
    """
    results = render(jobs, processes)
    kept = [i for i, result in enumerate(results) if result is not None]
    missing = np.array([result is None for result in results])
    kinds = np.asarray(info["kind"])
    empty = {str(kind): int((missing & (kinds == kind)).sum()) for kind in np.unique(kinds[missing])}
    return {"images": np.stack([results[i] for i in kept]).astype(np.float32),
            **{name: np.asarray(column)[kept] for name, column in info.items()}, "empty": empty}


def read_model(images, classifier):
    """(probabilities, features) of the model for each input."""
    pairs = [classifier.outputs(image) for image in images]
    return np.stack([p for p, _ in pairs]), np.stack([f for _, f in pairs])
