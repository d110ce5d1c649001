"""Saved samples as training data: MNIST-layout arrays and pen-stroke JSON that ``train.py --extra`` reads.

Both files are written one sample at a time, from one read transaction, so
an export of any size needs little memory: the download is a zip streamed as
it is written, and ``flask --app webapp export-samples`` writes the files.
"""

import io
import zipfile
from pathlib import Path

import click
import numpy as np
from flask import current_app
from flask.cli import with_appcontext
from PIL import Image

from webapp.storage import samples
from webapp.storage.connections import snapshot

CHUNK = 64 * 1024


def write_digits(file):
    """Write ``digits.npz`` (uint8 ``images`` (N, 28, 28), white ink on black, and ``labels`` (N,)), yielding per sample."""
    labels = bytearray()
    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("images.npy", "w", force_zip64=True) as images:
            header = {"descr": "|u1", "fortran_order": False, "shape": (samples.count(), 28, 28)}
            np.lib.format.write_array_header_1_0(images, header)
            for row in samples.model_inputs():
                images.write(np.asarray(Image.open(io.BytesIO(row["input_png"])).convert("L"), np.uint8).tobytes())
                labels.append(row["label"])
                yield
        with archive.open("labels.npy", "w") as stream:
            np.lib.format.write_array(stream, np.frombuffer(bytes(labels), np.uint8))


def write_strokes(file):
    """Write ``strokes.json``: the drawn samples (uploads have no strokes) in the pen-stroke format, yielding per sample."""
    file.write(b"[")
    for index, row in enumerate(samples.drawn_strokes()):
        record = f'{"," if index else ""}{{"label": {row["label"]}, "sample": {row["id"]}, "strokes": '
        file.write(record.encode() + row["strokes"].encode() + b"}")
        yield
    file.write(b"]")


FILES = {"digits.npz": write_digits, "strokes.json": write_strokes}


class _Chunks(io.RawIOBase):
    """A write-only stream that keeps what is written until it is taken."""

    def __init__(self):
        super().__init__()
        self.pending = bytearray()

    def writable(self):
        return True

    def write(self, data):
        self.pending += data
        return len(data)

    def take(self):
        taken, self.pending = bytes(self.pending), bytearray()
        return taken


def zip_chunks():
    """The export as a zip of ``digits.npz`` and ``strokes.json``, in chunks of about CHUNK bytes."""
    sink = _Chunks()
    with snapshot(), zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, write in FILES.items():
            with archive.open(name, "w", force_zip64=True) as entry:
                for _ in write(entry):
                    if len(sink.pending) >= CHUNK:
                        yield sink.take()
    yield sink.take()


@click.command("export-samples")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_samples_command(out):
    """Write the saved samples to folder OUT as digits.npz and strokes.json."""
    out.mkdir(parents=True, exist_ok=True)
    with snapshot():
        total = samples.count()
        for name, write in FILES.items():
            with open(out / name, "wb") as file:
                for _ in write(file):
                    pass
    click.echo(f"wrote {total} samples from {current_app.config['SAMPLES_DB']} to {out}")


def init_app(app):
    app.cli.add_command(export_samples_command)
