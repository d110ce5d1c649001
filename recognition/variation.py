"""The same digit as a hand might draw it again: another size and place on the pad, slant, tilt, wobble.

Training draws its digits this way, and writer adaptation draws each saved
drawing a few more times this way, so both see one hand's range of drawings.
Strokes are lists of ``[x, y, ...]`` points in pad pixels.
"""

import numpy as np
from scipy import ndimage

from recognition.pad import PAD_SIZE

EDGE = 4
"""Pad pixels kept free at the border, besides half the pen."""


def natural_strokes(strokes, rng, sizes, pen_width=0.0, size=PAD_SIZE):
    """Strokes scaled so the longer side is a random fraction of the pad, at a random place that keeps the ink on it."""
    points = np.concatenate([np.asarray(stroke, np.float64)[:, :2] for stroke in strokes])
    low, high = points.min(axis=0), points.max(axis=0)
    extent = max(float((high - low).max()), 1.0)
    scale = rng.uniform(*sizes) * size / extent
    room = size - 2 * (EDGE + pen_width / 2) - (high - low) * scale
    corner = EDGE + pen_width / 2 + rng.uniform(0.0, 1.0, 2) * np.maximum(room, 0.0)
    return [((np.asarray(stroke, np.float64)[:, :2] - low) * scale + corner).tolist() for stroke in strokes]


def hand_variation(strokes, rng):
    """The same digit as the same hand might draw it again: slant, tilt, proportions, strokes
    nudged against each other, a wobble along the line and a smooth elastic warp (Simard et al. 2003).
    """
    arrays = [np.asarray(stroke, np.float64)[:, :2] for stroke in strokes]
    points = np.concatenate(arrays)
    centre = (points.min(axis=0) + points.max(axis=0)) / 2
    extent = max(float((points.max(axis=0) - points.min(axis=0)).max()), 1.0)
    angle = rng.normal(0.0, 0.08)
    slant = rng.normal(0.0, 0.15)
    stretch = np.exp(rng.normal(0.0, 0.1))
    linear = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) @ \
        np.array([[stretch, slant], [0.0, 1.0 / stretch]])
    warp = elastic_field(rng, extent)
    varied = []
    for stroke in arrays:
        relative = (stroke - centre) @ linear.T
        relative += rng.normal(0.0, 0.03 * extent, 2) if len(arrays) > 1 else 0.0
        relative += rng.normal(0.0, 0.006 * extent, relative.shape)
        varied.append((relative + warp(relative / extent)).tolist())
    return varied


def elastic_field(rng, extent, grid=9, smoothing=1.5, strength=0.05):
    """A smooth random displacement field over the digit's box, as a function of points in box units."""
    fields = [ndimage.gaussian_filter(rng.uniform(-1.0, 1.0, (grid, grid)), smoothing, mode="constant")
              for _ in range(2)]
    peak = max(float(np.abs(field).max()) for field in fields) or 1.0
    fields = [field / peak * strength * extent for field in fields]

    def displace(relative):
        index = (np.clip(relative, -0.6, 0.6) / 1.2 + 0.5) * (grid - 1)
        coordinates = [index[:, 1], index[:, 0]]
        return np.stack([ndimage.map_coordinates(field, coordinates, order=1) for field in fields], axis=1)

    return displace
