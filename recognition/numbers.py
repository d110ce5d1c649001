"""Read a whole number written on a wide pad: split its ink into digits, left to right, and read each one.

The ink is first cut into *atoms*, pieces that belong to one digit: the pen
strokes when they are given, otherwise the connected blobs of ink, a blob
wide enough to hold touching digits being cut along its cheapest seams (paths
from top to bottom that cross the least ink). Atoms are ordered by their
centres from left to right, and a digit is a run of neighbouring atoms.
Between two neighbours a cut is certain (a clear gap), impossible (one
overlaps the other by much of a digit's height) or uncertain, with a
geometric prior: how far the ink on either side overlaps in x, or how much
ink a seam crosses and how wide its blob is.

The model settles the uncertain cuts. The segmentation the prior prefers is
read first, in one batch; only where it is doubtful (a cut whose prior is not
clear-cut, a digit the model is not sure of, or that is too short, too high
above the line or the wrong shape for the digit read) are the other runs
nearby read, in a second batch. A small dynamic programme then picks the
segmentation with the best sum of the log-probabilities of its digits'
readings, the log-priors of their heights, places and shapes, and the
log-priors of its cuts. A plain number costs about one model call per digit,
and the caps below bound the work per request.

Each digit is read from its own pixels of the picture, passed through
:func:`recognition.preprocess.to_mnist` like any single digit: the ink map masked
to the pixels its atoms own, in a crop padded with background. With strokes,
a pixel belongs to the stroke whose ink covers it, so a digit is exactly the
ink the picture shows, whatever the pen, and touching digits are parted where
one stroke meets the other; the pen width is estimated from the picture.
"""

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

from recognition.preprocess import INK_LEVEL, MIN_DIGIT_FRACTION, ink_bounding_box, ink_map, to_mnist

MAX_DIGITS = 12
MAX_STROKES = 60
MAX_COMPONENTS = 40
"""What one number may hold: digits, strokes and (picture only) separate marks; more raises NumberTooLong, which
keeps the work per request bounded."""

MAX_READS = 48
"""At most this many candidate digits are read (preprocessed and classified) per number."""

MAX_ATOMS_PER_DIGIT = 4
"""A digit is at most this many strokes or pieces of ink."""

MAX_WIDTH = 1.6
"""A digit is at most this wide, in line heights (the tallest atom's height)."""

MIN_HEIGHT = 0.3
"""A run of atoms shorter than this, in line heights, is not a digit (a bar, a flag, a serif, a stray dot); a
stray mark that cannot join a digit is left out."""

STRAY_COST = 8.0
"""Log-odds against leaving a short mark out of the number: only a mark that can join no digit is left out."""

CERTAIN_MERGE = 0.45
"""Neighbours whose x-extents overlap by more than this many line heights belong to one digit."""

CERTAIN_CUT = 0.1
"""Neighbours with a gap of more than this many line heights between their x-extents are in different digits."""

CUT_PRIOR = (3.5, 22.0)
"""Logistic prior of a cut between neighbouring atoms: log-odds a - b × overlap of the ink on either side (in
line heights). Chosen on numbers composed from writers 19-20: a digit's strokes overlap by 0.02-0.45 line
heights, neighbouring digits by up to 0.1 when they touch; the model decides in between."""

BRIDGE_PRIOR = (-7.5, -3.0, 10.1)
"""Logistic prior of a cut along a seam through a blob: log-odds a + b × ink crossed (in pen widths) + c × width
of the pieces on either side (in line heights).

Fitted by logistic regression on numbers composed from writers 1-20, then a
raised by one, which read those numbers best: a seam that crosses a full
stroke is rarely between digits (the bar of a 4, the base of a 2 are crossed
far more often), but a blob wider than any digit probably holds two."""

FULL_HEIGHT, HEIGHT_SPREAD = 0.75, 0.1
"""A run shorter than FULL_HEIGHT line heights is penalised like a log-normal of this spread."""

BASELINE_TOLERANCE, BASELINE_SPREAD = 0.15, 0.1
"""A run whose bottom is more than BASELINE_TOLERANCE line heights above the line is penalised like a normal of
this spread."""

DIGIT_SHAPES = ((-0.16, 0.245), (-0.992, 0.642), (-0.254, 0.239), (-0.484, 0.196), (-0.626, 0.318),
                (-0.267, 0.223), (-0.637, 0.21), (-0.446, 0.238), (-0.661, 0.228), (-0.543, 0.213))
"""Mean and spread of log(width / height) of each digit 0-9, drawn by writers 1-18 of the pen-drawn set."""

SHAPE_TOLERANCE = 1.0
"""Spreads from its digit's mean shape within which a run's shape costs nothing."""

SURE_LOG_ODDS = 2.0
"""A cut whose prior log-odds are beyond ±this is taken as the prior says unless the model doubts a reading."""

SURE_READING, SURE_PRIOR = 0.9, 1.0
"""A digit read with at least this probability, whose height and shape priors cost less than SURE_PRIOR, is not
doubted."""

SPECK_FRACTION = 0.04
"""Blobs with less ink than this fraction of the largest are specks and are ignored (picture only)."""

SPLIT_FROM = 0.5
"""Blobs wider than this many line heights may be touching digits: they are cut along seams (picture only),
one seam for each SPLIT_FROM of width, at most MAX_SEAMS."""

MAX_SEAMS = 3
SEAM_TRIES = 6
"""Seams ending at the cheapest few columns (each apart from the others) are tried, in order, until MAX_SEAMS
far enough apart are found."""

SEAM_MARGIN = 0.15
"""A seam stays this many line heights from its blob's sides and from other seams."""

FRAME_MARGIN = 2
"""Pixels kept around the ink's bounding box, for the soft edges of strokes."""

UNOWNED_LIMIT = 0.2
"""When strokes account for less than (1 - this) of the ink, they do not describe the picture and are ignored."""


class NumberTooLong(ValueError):
    """More digits or strokes than one request may ask to read."""


@dataclass(frozen=True)
class DigitPart:
    """One digit of a number: where it is, what the model read, and the probabilities it gave."""

    box: tuple
    """(x0, y0, x1, y1) of its ink in the picture's pixels, x1 and y1 exclusive."""
    input: np.ndarray
    """The 28×28 float image the model read."""
    probabilities: np.ndarray

    @property
    def digit(self):
        return int(np.argmax(self.probabilities))

    @property
    def confidence(self):
        return float(np.max(self.probabilities))


@dataclass(frozen=True)
class Atom:
    """A piece of ink that belongs to one digit: its id in the ownership map and its ink's extent (ink map pixels,
    x1 and y1 exclusive)."""

    id: int
    x0: int
    x1: int
    y0: int
    y1: int

    @property
    def centre(self):
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class Layout:
    """Atoms left to right, who owns each pixel, and what is known about each boundary between neighbours."""

    ink: np.ndarray
    owner: np.ndarray
    """The id of the atom each pixel belongs to, 0 for none."""
    owner_count: int
    """The largest id in ``owner``."""
    atoms: list
    line_height: float
    baseline: float
    """Where the digits' bottoms are: the median bottom of the full-height atoms."""
    pen: float
    log_odds: np.ndarray
    """Prior log-odds of a cut at each of the len(atoms) - 1 inner boundaries (±inf when certain)."""


def read_number(picture, strokes=None, *, classify, size=None):
    """The digits of the number in a PIL picture, left to right, as :class:`DigitPart`; [] when there is no ink.

    ``strokes`` (optional) are the pen strokes that drew it, each a list of
    ``[x, y]`` or ``[x, y, t]`` points in the picture's pixels. ``classify``
    takes an (N, 28, 28) float array and gives (N, 10) probabilities.
    ``size`` is the (width, height) of the picture as sent when ``picture``
    was shrunk after decoding: strokes and boxes are in those pixels.
    Raises :class:`NumberTooLong` beyond MAX_DIGITS digits or MAX_STROKES strokes.
    """
    ink, frame = inked_part(picture, size)
    if ink is None:
        return []
    layout = (stroke_layout(ink, strokes, frame) if strokes else None) or blob_layout(ink)
    runs, readings = segment(layout, classify)
    return [DigitPart(frame.picture_box(run_box(layout, run)), image, probabilities)
            for run, (image, probabilities) in zip(runs, readings)]


def inked_part(picture, size=None):
    """The part of the picture's ink map that holds ink, and its :class:`Frame`; (None, None) without ink, or
    with ink too small to be a digit.

    A digit must span MIN_DIGIT_FRACTION of the picture's shorter side, as :func:`to_mnist` asks of a square
    one: a wide pad is wide to hold several digits, not larger ones, so its first dot already counts as ink.
    """
    ink = ink_map(picture)
    found = ink_bounding_box(ink)
    if found is None or max(box.stop - box.start for box in found) < MIN_DIGIT_FRACTION * min(ink.shape):
        return None, None
    width, height = size or picture.size
    left, top = max(found[1].start - FRAME_MARGIN, 0), max(found[0].start - FRAME_MARGIN, 0)
    frame = Frame(ink.shape[1] / width, ink.shape[0] / height, left, top)
    return ink[top:found[0].stop + FRAME_MARGIN, left:found[1].stop + FRAME_MARGIN], frame


@dataclass(frozen=True)
class Frame:
    """Where the inked part of the ink map lies in the picture: ink map pixels per picture pixel, and the
    ink map pixel at which the inked part starts."""

    scale_x: float
    scale_y: float
    left: int
    top: int

    def ink_points(self, points):
        """Picture pixels (n, 2) as pixels of the inked part."""
        return points * (self.scale_x, self.scale_y) - (self.left, self.top)

    def picture_box(self, box):
        """(x0, y0, x1, y1) in the inked part as whole picture pixels that hold it."""
        x0, y0, x1, y1 = box
        return (int(np.floor((x0 + self.left) / self.scale_x)), int(np.floor((y0 + self.top) / self.scale_y)),
                int(np.ceil((x1 + self.left) / self.scale_x)), int(np.ceil((y1 + self.top) / self.scale_y)))


def number_text(parts):
    """The digits read, left to right, as a string."""
    return "".join(str(part.digit) for part in parts)


def number_confidence(parts):
    """How sure the reading of the whole number is: the product of its digits' confidences."""
    return float(np.prod([part.confidence for part in parts])) if parts else 0.0


# ---- atoms from strokes -------------------------------------------------------------------------------------

def stroke_layout(ink, strokes, frame):
    """Atoms that are the strokes, or None when the strokes do not describe the picture's ink."""
    paths = stroke_paths(strokes, frame, ink.shape)
    if len(paths) > MAX_STROKES:
        raise NumberTooLong(f"at most {MAX_STROKES} strokes can be read at once")
    if not paths:
        return None
    pen = pen_width(ink, paths)
    owner = stroke_owners(ink.shape, paths, pen)
    owner[ink <= 0.0] = 0
    owned = ink[owner > 0].sum()
    if owned < (1.0 - UNOWNED_LIMIT) * ink.sum():
        return None
    atoms = atoms_of(owner, len(paths))
    height = line_height(atoms)
    return Layout(ink, owner, len(paths), atoms, height, baseline(atoms, height), pen,
                  stroke_log_odds(atoms, height))


def stroke_paths(strokes, frame, shape):
    """Each stroke's finite points as an (n, 2) array in ink map pixels; strokes without points are left out.

    The caller checks that strokes are lists of points and points lists of numbers. Points far off the picture
    are brought nearer, so that drawing them stays cheap and within the drawing library's integers.
    """
    limit = max(shape)
    paths = []
    for stroke in strokes:
        points = np.asarray([point[:2] for point in stroke if len(point) >= 2], np.float64).reshape(-1, 2)
        points = points[np.isfinite(points).all(axis=1)]
        if len(points):
            paths.append(frame.ink_points(points))
    return [np.clip(path, -limit, 2 * limit) for path in paths]


def pen_width(ink, paths):
    """The pen width that explains the picture's ink along these paths.

    A path of length L drawn with a round pen of width w leaves w·L + πw²/4 of
    ink, so w solves (π/4)·n·w² + L·w = ink for n strokes of total length L.
    """
    length = sum(float(np.hypot(*np.diff(path, axis=0).T).sum()) for path in paths)
    caps = np.pi / 4 * len(paths)
    mass = float(ink.sum())
    return float(np.clip((-length + np.sqrt(length ** 2 + 4 * caps * mass)) / (2 * caps), 1.0, 0.25 * max(ink.shape)))


def stroke_owners(shape, paths, pen):
    """Which stroke (1-based) each pixel belongs to: the last whose ink covers it, else the last whose soft edge
    reaches it.

    Each stroke is drawn as a polyline with round ends, and round corners
    where it turns sharply: rounding every joint (PIL's joint="curve") costs a
    pie slice per point in Python, and a gentle turn needs none, since the
    line is drawn wider than the pen.
    """
    canvas = Image.new("I", (shape[1], shape[0]), 0)
    draw = ImageDraw.Draw(canvas)
    outlines = [(path.ravel().tolist(), path[sharp_corners(path)].tolist()) for path in paths]
    for width in (pen + 6.0, pen + 1.0):
        radius = width / 2
        for index, (line, corners) in enumerate(outlines, start=1):
            if len(line) > 2:
                draw.line(line, fill=index, width=max(1, round(width)))
            for x, y in corners:
                draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=index)
    return np.asarray(canvas, np.int32).copy()


def sharp_corners(path, cosine=0.7):
    """Indices of a path's ends and of the points where it turns by more than about 45 degrees."""
    steps = np.diff(path, axis=0)
    lengths = np.hypot(*steps.T)
    steps, lengths = steps[lengths > 0], lengths[lengths > 0]
    if len(steps) < 2:
        return np.array([0, len(path) - 1])
    turns = np.einsum("ij,ij->i", steps[:-1], steps[1:]) / (lengths[:-1] * lengths[1:])
    moving = np.flatnonzero(np.diff(path, axis=0).any(axis=1))
    corners = moving[1:][turns < cosine]
    return np.unique(np.concatenate([[0, len(path) - 1], corners]))


def stroke_log_odds(atoms, height):
    """Prior log-odds of a cut at each boundary from how much the ink left of it overlaps the ink right of it."""
    a, b = CUT_PRIOR
    overlaps = boundary_overlaps(atoms) / height
    odds = a - b * overlaps
    odds[overlaps < -CERTAIN_CUT] = np.inf
    odds[overlaps > CERTAIN_MERGE] = -np.inf
    return odds


def boundary_overlaps(atoms):
    """For each inner boundary, how far the ink left of it reaches past the start of the ink right of it."""
    reach = np.maximum.accumulate([atom.x1 for atom in atoms])[:-1]
    start = np.minimum.accumulate([atom.x0 for atom in atoms][::-1])[::-1][1:]
    return (reach - start).astype(np.float64)


# ---- atoms from the picture alone ---------------------------------------------------------------------------

def blob_layout(ink):
    """Atoms that are the picture's blobs of ink, the wide ones cut along their cheapest seams."""
    labels, count = ndimage.label(ink > INK_LEVEL, structure=np.ones((3, 3)))
    masses = np.bincount(labels.ravel(), weights=ink.ravel(), minlength=count + 1)[1:]
    kept = np.flatnonzero(masses >= SPECK_FRACTION * masses.max()) + 1
    if len(kept) > MAX_COMPONENTS:
        raise NumberTooLong(f"the picture has more than {MAX_COMPONENTS} separate marks")
    owner = np.where(np.isin(labels, kept), labels, 0)
    owner[ink <= 0.0] = 0
    blobs = atoms_of(owner, count)
    height = line_height(blobs)
    pen = blob_pen_width(owner)
    owner, atoms, bridges = slice_wide_blobs(ink, owner, blobs, height, pen, count)
    return Layout(ink, owner, int(owner.max()), atoms, height, baseline(blobs, height), pen,
                  blob_log_odds(atoms, bridges, height, pen))


def blob_pen_width(owner):
    """The pen width: a line w wide and L long covers w·L pixels and has 2·L pixels on its edges."""
    inside = owner > 0
    edges = inside & ~ndimage.binary_erosion(inside)
    return float(2.0 * inside.sum() / max(edges.sum(), 1))


def slice_wide_blobs(ink, owner, blobs, height, pen, next_id):
    """Cut blobs wide enough to be touching digits along their cheapest seams into atoms with new ids.

    Returns the new ownership map, the atoms ordered by their centres and, for
    each new atom that starts at a seam, how much ink (in pen widths) the seam
    went through.
    """
    owner = owner.copy()
    atoms, bridges = [], {}
    for blob in blobs:
        if blob.x1 - blob.x0 <= SPLIT_FROM * height:
            atoms.append(blob)
            continue
        pieces, crossed = cut_blob(ink, owner, blob, height, next_id)
        next_id += len(pieces)
        atoms.extend(pieces)
        bridges.update({atom.id: ink_crossed / max(pen, 1.0) for atom, ink_crossed in zip(pieces[1:], crossed)})
    return owner, sorted(atoms, key=lambda atom: atom.centre), bridges


def cut_blob(ink, owner, blob, height, last_id):
    """Cut one blob along its cheapest seams: the pieces, left to right, as atoms numbered after ``last_id``
    (marked in ``owner``), and the ink each seam between two pieces crossed."""
    width = blob.x1 - blob.x0
    region = owner[blob.y0:blob.y1, blob.x0:blob.x1]
    inside = region == blob.id
    seams = cheapest_seams(np.where(inside, ink[blob.y0:blob.y1, blob.x0:blob.x1], 0.0), height,
                           max_seams=min(MAX_SEAMS, int(width / (SPLIT_FROM * height))))
    columns = np.arange(width)[None, :]
    left, cost, pieces, crossed = np.zeros(inside.shape[0], np.int64), None, [], []
    for path, next_cost in [*seams, (np.full(inside.shape[0], width), None)]:
        piece = inside & (columns >= left[:, None]) & (columns < path[:, None])
        left = path
        if piece.any():
            region[piece] = last_id + len(pieces) + 1
            rows, cols = np.flatnonzero(piece.any(axis=1)), np.flatnonzero(piece.any(axis=0))
            pieces.append(Atom(last_id + len(pieces) + 1, blob.x0 + cols[0], blob.x0 + cols[-1] + 1,
                               blob.y0 + rows[0], blob.y0 + rows[-1] + 1))
            if len(pieces) > 1:
                crossed.append(cost)
            cost = next_cost
    return pieces, crossed


def cheapest_seams(ink, height, max_seams):
    """Up to max_seams top-to-bottom paths (a column per row) through the ink that cross the least of it, each
    at least SEAM_MARGIN line heights from the blob's sides and from the others, with the ink each crosses.

    Found by dynamic programming on a half-size copy: a path moves at most one
    column per row, so it can wind between digits that overlap in x.
    """
    coarse = ink[:ink.shape[0] // 2 * 2, :ink.shape[1] // 2 * 2].reshape(ink.shape[0] // 2, 2, -1, 2).mean(axis=(1, 3))
    margin = max(1, int(SEAM_MARGIN * height / 2))
    if coarse.shape[0] < 2 or coarse.shape[1] <= 2 * margin:
        return []
    totals, moves = seam_costs(coarse, margin)
    seams = apart_seams(totals, moves, margin, max_seams)
    seams.sort(key=lambda seam: seam[0].mean())
    return [(full_size(path, ink.shape[0]), cost) for path, cost in seams_in_order(seams)]


def seam_costs(coarse, margin):
    """The ink crossed by the cheapest path ending at each bottom column, and each cell's step from the row above.

    Ink crossed on a slanted step counts √2 times, so that crossing a stroke
    costs at least its width whatever its angle; the margins cannot be crossed.
    """
    rows, columns = coarse.shape
    cost = np.full((rows, columns), np.inf)
    cost[:, margin:columns - margin] = coarse[:, margin:columns - margin]
    total = np.r_[np.inf, cost[0], np.inf]
    moves = np.zeros((rows, columns), np.int8)
    for row in range(1, rows):
        slanted = np.sqrt(2.0) * cost[row]
        left, up, right = total[:-2] + slanted, total[1:-1] + cost[row], total[2:] + slanted
        best = np.minimum(np.minimum(left, right), up)
        moves[row] = np.where(up <= best, 0, np.where(left <= right, -1, 1))
        total[1:-1] = best
    return total[1:-1], moves


def apart_seams(totals, moves, margin, max_seams):
    """The cheapest seams whose ends and paths lie apart, as (path, ink crossed at full size), trying the
    SEAM_TRIES cheapest ends."""
    seams, tried = [], []
    for end in np.argsort(totals, kind="stable"):
        if not np.isfinite(totals[end]) or len(tried) == SEAM_TRIES or len(seams) == max_seams:
            break
        if any(abs(end - other) < margin for other in tried):
            continue
        tried.append(end)
        path = backtrack(moves, end)
        if all(abs(path.mean() - other.mean()) >= 2 * margin for other, _ in seams):
            seams.append((path, 2.0 * totals[end]))
    return seams


def full_size(path, rows):
    """A seam found on the half-size copy, as a column for each of the blob's rows."""
    doubled = np.repeat(2 * path + 1, 2)
    return np.r_[doubled, doubled[-1:]][:rows]


def seams_in_order(seams):
    """Seams left to right, each kept from crossing the one before it."""
    ordered, previous = [], None
    for path, cost in seams:
        path = path if previous is None else np.maximum(path, previous)
        ordered.append((path, cost))
        previous = path
    return ordered


def backtrack(moves, end):
    """The columns, from the top row down, of the cheapest path that ends at column ``end`` of the bottom row;
    ``moves`` holds for each cell the step (-1, 0, 1) from the row above."""
    path = np.empty(len(moves), np.int64)
    path[-1] = column = int(end)
    for row in range(len(moves) - 1, 0, -1):
        column += int(moves[row, column])
        path[row - 1] = column
    return path


def blob_log_odds(atoms, bridges, height, pen):
    """Prior log-odds of a cut between blobs (as between strokes) or along a seam through a blob
    (BRIDGE_PRIOR)."""
    odds = stroke_log_odds(atoms, height)
    a, b, c = BRIDGE_PRIOR
    for index, (left, right) in enumerate(zip(atoms, atoms[1:])):
        if right.id in bridges:
            width = (max(left.x1, right.x1) - min(left.x0, right.x0)) / height
            odds[index] = a + b * bridges[right.id] + c * width
    return odds


# ---- shared ----------------------------------------------------------------------------------------------------

def atoms_of(owner, count):
    """The atoms present in an ownership map (ids 1..count), ordered by their centres."""
    atoms = [Atom(index, found[1].start, found[1].stop, found[0].start, found[0].stop)
             for index, found in enumerate(ndimage.find_objects(owner, max_label=count), start=1) if found]
    return sorted(atoms, key=lambda atom: atom.centre)


def line_height(atoms):
    """How tall the digits are: the tallest atom (a tall stroke or blob is a whole digit's height)."""
    return float(max(atom.y1 - atom.y0 for atom in atoms))


def baseline(atoms, height):
    """Where the digits' bottoms are: the median bottom of the atoms at least FULL_HEIGHT of the line tall."""
    return float(np.median([atom.y1 for atom in atoms if atom.y1 - atom.y0 >= FULL_HEIGHT * height]))


def run_box(layout, run):
    """(x0, y0, x1, y1) in ink map pixels of the atoms[run[0]:run[1]]."""
    atoms = layout.atoms[run[0]:run[1]]
    return (min(a.x0 for a in atoms), min(a.y0 for a in atoms), max(a.x1 for a in atoms), max(a.y1 for a in atoms))


def run_picture(layout, run):
    """The run's own ink as a white-on-black picture, padded so that background is most of it (to_mnist finds
    the background by the median)."""
    x0, y0, x1, y1 = run_box(layout, run)
    members = np.zeros(layout.owner_count + 1, bool)
    members[[atom.id for atom in layout.atoms[run[0]:run[1]]]] = True
    crop = np.where(members[layout.owner[y0:y1, x0:x1]], layout.ink[y0:y1, x0:x1], 0.0)
    side = int(max(x1 - x0, y1 - y0, np.sqrt(2.5 * np.count_nonzero(crop)))) + 4
    canvas = np.zeros((side, side), np.float32)
    top, left = (side - crop.shape[0]) // 2, (side - crop.shape[1]) // 2
    canvas[top:top + crop.shape[0], left:left + crop.shape[1]] = crop
    return Image.fromarray(np.round(canvas * 255).astype(np.uint8), mode="L")


# ---- choosing the segmentation ----------------------------------------------------------------------------------

def segment(layout, classify):
    """The best runs (start, stop) of atoms and their readings (28×28 input, probabilities), left to right."""
    readings = {}
    primary = primary_runs(layout)
    if len(primary) > MAX_DIGITS:
        raise NumberTooLong(f"at most {MAX_DIGITS} digits can be read at once")
    read_runs(layout, primary, readings, classify)
    alternatives = alternative_runs(layout, primary, doubtful_spans(layout, primary, readings))
    read_runs(layout, alternatives[:MAX_READS - len(primary)], readings, classify)
    runs = best_path(layout, readings, primary)
    return runs, [readings[run] for run in runs]


def primary_runs(layout):
    """The segmentation the geometric prior alone prefers: cut wherever a cut is more likely than not."""
    cuts = [0, *(index + 1 for index, odds in enumerate(layout.log_odds) if odds > 0), len(layout.atoms)]
    return list(zip(cuts[:-1], cuts[1:]))


def doubtful_spans(layout, primary, readings):
    """Spans of atoms (start, stop) where alternatives must be read, overlapping ones joined: the two atoms at
    every cut whose prior is unsure, and every primary digit that the model does not read surely or that is not
    a digit on its own, with one more atom on each side."""
    spans = [(index, index + 2) for index, odds in enumerate(layout.log_odds) if abs(odds) < SURE_LOG_ODDS]
    for start, stop in primary:
        reading = readings.get((start, stop))
        if reading is None or not sure_digit(layout, (start, stop), reading[1]):
            spans.append((max(start - 1, 0), min(stop + 1, len(layout.atoms))))
    return joined(spans)


def sure_digit(layout, run, probabilities):
    """Whether the model reads the run surely and it has a digit's height and the shape of the digit read."""
    digit = int(np.argmax(probabilities))
    return (tall_enough(layout, run) and probabilities[digit] >= SURE_READING
            and height_prior(layout, run) + shape_prior(layout, run, digit) >= -SURE_PRIOR)


def joined(spans):
    """Spans with those that share atoms joined into one."""
    merged = []
    for start, stop in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def alternative_runs(layout, primary, spans):
    """Every valid run inside the spans, and what each leaves of the primary runs it cuts into, so that the
    dynamic programme can always complete a segmentation that uses it."""
    runs = {(first, last) for start, stop in spans for first in range(start, stop)
            for last in range(first + 1, min(first + MAX_ATOMS_PER_DIGIT, stop) + 1)}
    leftovers = {piece for run in runs for piece in leftover_runs(run, primary)}
    return sorted(run for run in runs | leftovers if valid_run(layout, run))


def leftover_runs(run, primary):
    """The parts of primary runs that ``run`` cuts into which lie outside it."""
    first, last = run
    pieces = []
    for start, stop in primary:
        if start < first < stop:
            pieces.append((start, first))
        if start < last < stop:
            pieces.append((last, stop))
    return pieces


def valid_run(layout, run):
    """No certain cut inside, no certain merge at its ends, and not wider than a digit can be."""
    first, last = run
    inner = layout.log_odds[first:last - 1]
    ends = [layout.log_odds[i - 1] for i in (first, last) if 0 < i < len(layout.atoms)]
    x0, _, x1, _ = run_box(layout, run)
    return (not np.isposinf(inner).any() and not any(np.isneginf(ends))
            and x1 - x0 <= MAX_WIDTH * layout.line_height)


def tall_enough(layout, run):
    """Whether the run is at least MIN_HEIGHT of the line tall: anything shorter is not a digit on its own."""
    _, y0, _, y1 = run_box(layout, run)
    return y1 - y0 >= MIN_HEIGHT * layout.line_height


def read_runs(layout, runs, readings, classify):
    """Read the runs not read yet, in one batch; a run to_mnist finds empty is recorded as None."""
    todo = [run for run in runs if run not in readings]
    images = [to_mnist(run_picture(layout, run)) for run in todo]
    present = [image for image in images if image is not None]
    probabilities = iter(classify(np.stack(present)) if present else [])
    for run, image in zip(todo, images):
        readings[run] = None if image is None else (image, np.asarray(next(probabilities), np.float64))


def best_path(layout, readings, primary):
    """The runs with the best total score that cover all atoms, by dynamic programming, except primary runs too
    short or faint to be read, which may be left out at STRAY_COST each.

    The primary runs are always read, so some path always exists.
    """
    count = len(layout.atoms)
    best = np.full(count + 1, -np.inf)
    best[0] = 0.0
    back = [None] * (count + 1)
    steps = scored_steps(layout, readings, primary)
    for stop in range(1, count + 1):
        for run, score in steps.get(stop, []):
            if best[run[0]] + score > best[stop]:
                best[stop], back[stop] = best[run[0]] + score, run
    runs, stop = [], count
    while stop > 0:
        runs.append(back[stop])
        stop = back[stop][0]
    return [run for run in runs[::-1] if readings[run] is not None and tall_enough(layout, run)]


def scored_steps(layout, readings, primary):
    """For each atom index, the runs that end there with their scores: every readable run, and the primary
    runs that cannot be digits as strays to leave out."""
    steps = {}
    for run, reading in readings.items():
        if reading is not None and tall_enough(layout, run):
            steps.setdefault(run[1], []).append((run, run_score(layout, run, reading[1])))
    for run in primary:
        if readings[run] is None or not tall_enough(layout, run):
            steps.setdefault(run[1], []).append((run, -STRAY_COST))
    return steps


def run_score(layout, run, probabilities):
    """How likely the run is one digit (:func:`digit_score`), with the priors of a cut at its start and of no
    cut inside it."""
    first, last = run
    score = digit_score(layout, run, probabilities)
    if first > 0:
        score += log_sigmoid(layout.log_odds[first - 1])
    return score + sum(log_sigmoid(-odds) for odds in layout.log_odds[first:last - 1])


def digit_score(layout, run, probabilities):
    """The log-probability of the model's reading of the run, with the priors of its height, and of its shape
    for the digit read."""
    digit = int(np.argmax(probabilities))
    score = float(np.log(max(probabilities[digit], 1e-12)))
    return score + height_prior(layout, run) + shape_prior(layout, run, digit)


def height_prior(layout, run):
    """Digits in a number are about equally tall and stand on one line: a run much shorter than the line, or
    whose bottom is well above the others', is unlikely to be one (a bar, the top of a 4)."""
    _, y0, _, y1 = run_box(layout, run)
    shortfall = min(np.log((y1 - y0) / layout.line_height / FULL_HEIGHT), 0.0)
    rise = max((layout.baseline - y1) / layout.line_height - BASELINE_TOLERANCE, 0.0)
    return -0.5 * (shortfall / HEIGHT_SPREAD) ** 2 - 0.5 * (rise / BASELINE_SPREAD) ** 2


def shape_prior(layout, run, digit):
    """A run far wider or narrower than the digit it reads as usually is (DIGIT_SHAPES) is unlikely to be it."""
    x0, y0, x1, y1 = run_box(layout, run)
    aspect = max(x1 - x0 - layout.pen, 1.0) / max(y1 - y0 - layout.pen, 1.0)
    mean, spread = DIGIT_SHAPES[digit]
    excess = max(abs(np.log(aspect) - mean) / spread - SHAPE_TOLERANCE, 0.0)
    return -0.5 * excess ** 2


def log_sigmoid(z):
    """log(1 / (1 + e^-z)), exact at ±inf."""
    if np.isposinf(z):
        return 0.0
    if np.isneginf(z):
        return -np.inf
    return float(-np.logaddexp(0.0, -z))
