"""Marks that are not digits, as a hand draws them on the pad: taps, dashes, crosses, hatching, scribbles...

Each kind is a function of a random generator that returns strokes in a unit
box; :func:`mark_strokes` gives them a hand's wobble (:func:`hand_variation`)
and puts them on the pad at a size and place drawn for the kind. Taps are
placed directly in pad pixels: their size is the pen's.

Left out on purpose, because a person could fairly call them a digit:
vertical and near-vertical lines (a 1; any line within ``UPRIGHT`` of
vertical), circles and ellipses (a 0), hooks and angles (a 7, an L-ish 4),
single S- and Z-like curves (a 5, a 2) and a wave of one period (a sloppy 2).
Hatching is drawn outside ``UPRIGHT`` of vertical too (upright strokes side by
side could be read as 1s); arrows point any way, as their heads make them more
than a line. The digit-like marks (:data:`DIGIT_LIKE`, an upright line and a
ring) are generated only to show how the detector treats them.
"""

import numpy as np

from recognition.pad import PAD_SIZE
from recognition.variation import EDGE, hand_variation, natural_strokes

ONE_TILT = 40.0
"""Degrees from vertical within which a lone line may be a 1."""

UPRIGHT = np.radians(ONE_TILT)
"""Lines closer than this to vertical could be a 1, so no mark is a lone line that steep."""

KINDS = ("tap", "two taps", "dash", "cross", "plus", "equals", "hash", "hatching", "tangle", "star", "arrow",
         "wave")
"""Kinds of mark that are not digits."""

SIZES = {
    "dash": (0.06, 0.9), "cross": (0.1, 0.8), "plus": (0.1, 0.8), "equals": (0.1, 0.8), "hash": (0.12, 0.85),
    "hatching": (0.12, 0.9), "tangle": (0.12, 0.85), "star": (0.12, 0.8), "arrow": (0.3, 0.9),
    "wave": (0.15, 0.9), "upright line": (0.15, 0.9), "ring": (0.15, 0.85),
}
"""Longer side of each kind of mark, as a fraction of the pad."""

POINT_SPACING = 0.02
"""Strokes are resampled to a point every this fraction of the mark's extent, so the wobble bends them."""


def mark_strokes(kind, rng, pen_width):
    """Strokes in pad pixels for one mark of ``kind``, with a hand's variation, at a random size and place."""
    if kind == "tap":
        return [_tap(rng, pen_width, _free_point(rng, pen_width))]
    if kind == "two taps":
        return _two_taps(rng, pen_width)
    shapes = {**SHAPES, **DIGIT_LIKE}
    while True:
        shape = [np.asarray(stroke, np.float64) for stroke in shapes[kind](rng)]
        varied = hand_variation([_resampled(stroke) for stroke in shape], rng)
        if kind != "dash" or not _upright(varied[0]):
            return natural_strokes(varied, rng, SIZES[kind], pen_width)


def _upright(stroke):
    """Whether a stroke runs within UPRIGHT of vertical from end to end: the hand's tilt can make a dash a 1."""
    run = np.asarray(stroke[-1]) - np.asarray(stroke[0])
    return abs(run[0]) < np.tan(UPRIGHT) * abs(run[1])


def _free_point(rng, pen_width):
    margin = EDGE + pen_width / 2
    return rng.uniform(margin, PAD_SIZE - margin, 2)


def _tap(rng, pen_width, centre):
    """A touch of the pen: one point, or a few within a pen's width of each other."""
    count = rng.integers(1, 4)
    return (centre + rng.normal(0.0, rng.uniform(0.0, 0.25) * pen_width, (count, 2))).tolist()


def _two_taps(rng, pen_width):
    first = _free_point(rng, pen_width)
    for _ in range(100):
        angle = rng.uniform(0.0, 2 * np.pi)
        second = first + rng.uniform(1.3 * pen_width, 0.6 * PAD_SIZE) * np.array([np.cos(angle), np.sin(angle)])
        margin = EDGE + pen_width / 2
        if (second > margin).all() and (second < PAD_SIZE - margin).all():
            return [_tap(rng, pen_width, first), _tap(rng, pen_width, second)]
    return [_tap(rng, pen_width, first), _tap(rng, pen_width, PAD_SIZE - first)]


def _resampled(stroke):
    """The stroke with points every POINT_SPACING along it (a lone point stays one point)."""
    steps = np.linalg.norm(np.diff(stroke, axis=0), axis=1)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    if along[-1] == 0.0:
        return stroke[:1]
    positions = np.linspace(0.0, along[-1], max(2, int(np.ceil(along[-1] / POINT_SPACING)) + 1))
    return np.stack([np.interp(positions, along, stroke[:, axis]) for axis in range(2)], axis=1)


def _flat_angle(rng):
    """An angle (radians from horizontal, y down) at least UPRIGHT away from vertical."""
    return rng.uniform(-(np.pi / 2 - UPRIGHT), np.pi / 2 - UPRIGHT)


def _line(angle, length=1.0, centre=(0.0, 0.0)):
    direction = np.array([np.cos(angle), np.sin(angle)]) * length / 2
    return np.array([np.asarray(centre) - direction, np.asarray(centre) + direction])


def _dash(rng):
    return [_line(_flat_angle(rng))]


def _cross(rng):
    tilt = rng.uniform(np.radians(30), np.radians(60))
    offset = rng.normal(0.0, 0.06, 2)
    return [_line(tilt, rng.uniform(0.7, 1.0)), _line(-tilt + rng.normal(0.0, 0.1), rng.uniform(0.7, 1.0), offset)]


def _plus(rng):
    offset = rng.normal(0.0, 0.06, 2)
    across = _line(rng.normal(0.0, 0.08), rng.uniform(0.7, 1.0))
    upright = _line(np.pi / 2 + rng.normal(0.0, 0.08), rng.uniform(0.7, 1.0), offset)
    return [across, upright] if rng.random() < 0.5 else [upright, across]


def _equals(rng):
    gap = rng.uniform(0.2, 0.6)
    length = rng.uniform(0.8, 1.2)
    return [_line(rng.normal(0.0, 0.06), 1.0, (0.0, 0.0)),
            _line(rng.normal(0.0, 0.06), length, (rng.normal(0.0, 0.08), gap))]


def _hash(rng):
    gap = rng.uniform(0.3, 0.5)
    slant = rng.normal(0.0, 0.2)
    strokes = [_line(np.pi / 2 + slant + rng.normal(0.0, 0.05), rng.uniform(0.8, 1.0), (x, 0.0))
               for x in (-gap / 2, gap / 2)]
    strokes += [_line(rng.normal(0.0, 0.05), rng.uniform(0.8, 1.0), (0.0, y)) for y in (-gap / 2, gap / 2)]
    return strokes


def _hatching(rng):
    """Three to eight parallel lines, lifted between lines or drawn back and forth without lifting."""
    angle = _flat_angle(rng)
    count = rng.integers(3, 9)
    spacing = rng.uniform(0.08, 0.25)
    normal = np.array([-np.sin(angle), np.cos(angle)])
    lines = [_line(angle + rng.normal(0.0, 0.04), rng.uniform(0.8, 1.0), normal * spacing * i)
             for i in range(count)]
    if rng.random() < 0.5:
        return lines
    return [np.concatenate([line if i % 2 == 0 else line[::-1] for i, line in enumerate(lines)])]


def _tangle(rng):
    """A scribble: one line looping back and forth over a box, several times longer than the box is wide.

    Each coordinate is a sum of three sines of random frequencies, so the line crosses itself many times.
    """
    t = np.linspace(0.0, 1.0, 200)
    axes = []
    for _ in range(2):
        frequencies = rng.uniform(1.5, 7.0, 3)
        weights = rng.uniform(0.3, 1.0, 3)
        phases = rng.uniform(0.0, 2 * np.pi, 3)
        axes.append((weights[:, None] * np.sin(2 * np.pi * frequencies[:, None] * t + phases[:, None])).sum(axis=0))
    return [np.stack(axes, axis=1)]


def _star(rng):
    """An asterisk: three or four lines through one centre."""
    count = rng.integers(3, 5)
    start = rng.uniform(0.0, np.pi)
    return [_line(start + np.pi * i / count + rng.normal(0.0, 0.08), rng.uniform(0.8, 1.0),
                  rng.normal(0.0, 0.04, 2)) for i in range(count)]


def _arrow(rng):
    """A shaft at any angle and a head: two short strokes, or one stroke drawn as a V."""
    angle = rng.uniform(0.0, 2 * np.pi)
    direction = np.array([np.cos(angle), np.sin(angle)])
    tip = direction * 0.5
    shaft = np.array([-tip, tip])
    spread = rng.uniform(np.radians(20), np.radians(45))
    barb = rng.uniform(0.25, 0.45)
    ends = [tip - barb * np.array([np.cos(angle + s), np.sin(angle + s)]) for s in (spread, -spread)]
    if rng.random() < 0.5:
        return [shaft, np.array([ends[0], tip]), np.array([tip, ends[1]])]
    return [shaft, np.array([ends[0], tip, ends[1]])]


def _wave(rng):
    """A wavy line of 1.5 to 4 periods, within 30 degrees of horizontal."""
    periods = rng.uniform(1.5, 4.0)
    amplitude = rng.uniform(0.06, 0.2)
    x = np.linspace(-0.5, 0.5, 80)
    y = amplitude * np.sin(2 * np.pi * periods * (x + 0.5) + rng.uniform(0.0, 2 * np.pi))
    angle = rng.uniform(np.radians(-30), np.radians(30))
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return [np.stack([x, y], axis=1) @ rotation.T]


SHAPES = {"dash": _dash, "cross": _cross, "plus": _plus, "equals": _equals, "hash": _hash, "hatching": _hatching,
          "tangle": _tangle, "star": _star, "arrow": _arrow, "wave": _wave}


def _upright_line(rng):
    """A 1 as many people draw it: one stroke within 25 degrees of vertical."""
    return [_line(np.pi / 2 + rng.uniform(-np.radians(25), np.radians(25)))]


def _ring(rng):
    """A 0 as people draw it: one closed loop, a circle or an ellipse at any tilt (a 0 slanted or lying down),
    often overshooting its start."""
    turns = np.linspace(0.0, 2 * np.pi * rng.uniform(1.0, 1.15), 60) + rng.uniform(0.0, 2 * np.pi)
    ellipse = np.stack([rng.uniform(0.4, 1.0) * np.cos(turns), np.sin(turns)], axis=1) / 2
    tilt = rng.uniform(-np.pi / 2, np.pi / 2)
    return [ellipse @ np.array([[np.cos(tilt), np.sin(tilt)], [-np.sin(tilt), np.cos(tilt)]])]


DIGIT_LIKE = {"upright line": _upright_line, "ring": _ring}
"""Marks a person could call a digit (a 1, a 0): never trained as not-digits; the benchmark shows how they fare."""
