"""Pen-drawn digits put on the pad the way real people draw them: any size, any place, any pen, a human hand.

A digit drawn small and the same digit drawn large look alike to a person,
but not after preprocessing: both are scaled so their longer side is 20
pixels, so the small one's strokes come out much bolder. Training digits are
therefore drawn at random sizes and places with random pens, after the
stroke-level changes a hand makes from one drawing to the next.

Every random choice comes from a generator keyed on (seed, record, copy), so a
set renders identically whatever the order or the number of processes.
"""

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np

from recognition.preprocess import to_mnist
from recognition.strokes import render_recorded, render_strokes
from recognition.variation import hand_variation, natural_strokes

TRAINING_SIZES = (0.25, 0.95)
"""Longer side of a training digit, as a fraction of the pad."""

NATURAL_SIZES = (0.30, 0.85)
"""Longer side of a digit drawn "at a natural size", for measuring."""

TRAINING_PENS = (8.0, 30.0)
"""Pen widths in pad pixels: thinner than the thin pen to bolder than the bold one."""

PARALLEL_FROM = 2000
"""Sets with at least this many images are rendered by one process per CPU."""


def training_image(record, seed, index, copy):
    """One randomly varied rendering of a record through the app's preprocessing, or None if it came out empty."""
    rng = np.random.default_rng([seed, index, copy])
    pen_width = rng.uniform(*TRAINING_PENS)
    strokes = natural_strokes(hand_variation(record["strokes"], rng), rng, TRAINING_SIZES, pen_width)
    return to_mnist(render_strokes(strokes, pen_width=pen_width))


def pad_picture(record, pen_width, placement="fitted", seed=0, index=0):
    """A record on the pad as the page would send it: fitted to the pad, or unchanged at a natural
    size and place drawn from (seed, index)."""
    if placement == "natural":
        return render_strokes(placed_strokes(record, pen_width, seed, index), pen_width=pen_width)
    return render_recorded(record["strokes"], pen_width=pen_width)


def placed_strokes(record, pen_width, seed, index):
    """A record's strokes in pad pixels at the natural size and place :func:`pad_picture` draws it."""
    return natural_strokes(record["strokes"], np.random.default_rng([seed, index]), NATURAL_SIZES, pen_width)


def fitted_image(record, pen_width):
    return to_mnist(pad_picture(record, pen_width))


def natural_input(record, seed, index, pen_width):
    return to_mnist(pad_picture(record, pen_width, "natural", seed, index))


def fitted_set(records, pen_widths):
    """Every record fitted to the pad with each pen: float32 images (N, 28, 28) and labels."""
    jobs = [(record, width) for record in records for width in pen_widths]
    return _stacked(_render(fitted_image, jobs), [record["label"] for record, _ in jobs])


def natural_set(records, pen_width, seed=0):
    """Every record at a seeded natural size and place with one pen: float32 images (N, 28, 28) and labels."""
    jobs = [(record, seed, index, pen_width) for index, record in enumerate(records)]
    return _stacked(_render(natural_input, jobs), [record["label"] for record in records])


def varied_set(records, copies, seed):
    """``copies`` randomly varied renderings of every record (see :func:`training_image`)."""
    jobs = [(record, seed, index, copy) for index, record in enumerate(records) for copy in range(copies)]
    return _stacked(_render(training_image, jobs), [record["label"] for record, *_ in jobs])


def _render(make, jobs):
    """[make(*job) for job in jobs], over all CPUs for large sets: the same images in the same order."""
    if len(jobs) < PARALLEL_FROM or (os.cpu_count() or 1) == 1:
        return [make(*job) for job in jobs]
    with ProcessPoolExecutor(os.cpu_count(), mp_context=get_context("spawn")) as pool:
        return list(pool.map(make, *zip(*jobs), chunksize=128))


def _stacked(images, labels):
    """Images and labels with the empty renderings (None) left out."""
    kept = [(image, label) for image, label in zip(images, labels) if image is not None]
    if not kept:
        return np.zeros((0, 28, 28), np.float32), np.zeros(0, np.uint8)
    return np.stack([image for image, _ in kept]), np.array([label for _, label in kept], np.uint8)
