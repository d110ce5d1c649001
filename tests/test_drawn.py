"""The shipped model on real pen-drawn digits, drawn and sent exactly like the page sends them.

The shipped model learned from all of the project's writers, so this checks the
whole serving path (pad rendering, PNG, preprocessing, model) end to end; how
well it reads writers it never saw is measured by cross-validation (docs/model.md).
"""

import numpy as np
import pytest

from recognition.pad import PEN_WIDTHS
from tests.helpers import encoded
from training.drawn import pad_picture


def sample(pendigits, count):
    picked = np.random.default_rng(7).choice(len(pendigits), size=count, replace=False)
    return [pendigits[i] for i in picked]


@pytest.mark.parametrize("pen, placement", [("thin", "fitted"), ("normal", "fitted"), ("bold", "fitted"),
                                            ("normal", "natural"), ("bold", "natural")])
def test_drawn_digits_are_read_through_the_api(client, pendigits, pen, placement):
    records = sample(pendigits, 150)
    correct = 0
    for index, record in enumerate(records):
        response = client.post("/api/predict", data=encoded(pad_picture(record, PEN_WIDTHS[pen], placement, 7, index)),
                               content_type="image/png")
        assert response.status_code == 200
        correct += response.get_json()["digit"] == record["label"]
    assert correct / len(records) >= 0.97
