"""The shipped model on real pen-drawn digits from writers it never trained on, sent like the page sends them."""

import numpy as np
import pytest

from tests.helpers import encoded
from webapp.pad import PEN_WIDTHS
from webapp.strokes import render_recorded


def held_out(app, pendigits, count):
    writers = set(app.extensions["classifier"].card.get("data", {}).get("test_writers", []))
    records = [record for record in pendigits if not writers or record["writer"] in writers]
    picked = np.random.default_rng(7).choice(len(records), size=min(count, len(records)), replace=False)
    return [records[i] for i in picked]


@pytest.mark.parametrize("pen", ["thin", "normal", "bold"])
def test_drawn_digits_from_unseen_writers(client, app, pendigits, pen):
    records = held_out(app, pendigits, 150)
    correct = 0
    for record in records:
        png = encoded(render_recorded(record["strokes"], pen_width=PEN_WIDTHS[pen]))
        response = client.post("/api/predict", data=png, content_type="image/png")
        assert response.status_code == 200
        correct += response.get_json()["digit"] == record["label"]
    assert correct / len(records) >= 0.97
