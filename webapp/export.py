"""Saved samples as training data: MNIST-layout arrays and pen-stroke JSON that ``train.py --extra`` reads."""

import io
import json
import zipfile
from pathlib import Path

import click
import numpy as np
from flask import current_app
from flask.cli import with_appcontext
from PIL import Image

from webapp import samples


def arrays(rows):
    """uint8 images (N, 28, 28), white ink on black, and uint8 labels (N,)."""
    images = np.zeros((len(rows), 28, 28), np.uint8)
    for index, row in enumerate(rows):
        images[index] = np.asarray(Image.open(io.BytesIO(row["input_png"])).convert("L"))
    return images, np.array([row["label"] for row in rows], np.uint8)


def stroke_records(rows):
    """The drawn samples (uploads have no strokes) in the pen-stroke JSON format."""
    return [{"label": row["label"], "sample": row["id"], "strokes": row["strokes"]} for row in rows if row["strokes"]]


def export_files(rows):
    """File name → bytes: ``digits.npz`` (keys images, labels) and ``strokes.json``."""
    images, labels = arrays(rows)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, images=images, labels=labels)
    return {"digits.npz": buffer.getvalue(), "strokes.json": json.dumps(stroke_records(rows)).encode()}


def export_zip(rows):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in export_files(rows).items():
            archive.writestr(name, content)
    return buffer.getvalue()


@click.command("export-samples")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_samples_command(out):
    """Write the saved samples to folder OUT as digits.npz and strokes.json."""
    rows = samples.every_sample()
    out.mkdir(parents=True, exist_ok=True)
    for name, content in export_files(rows).items():
        (out / name).write_bytes(content)
    click.echo(f"wrote {len(rows)} samples from {current_app.config['SAMPLES_DB']} to {out}")


def init_app(app):
    app.cli.add_command(export_samples_command)
