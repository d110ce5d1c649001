"""The not-a-digit detector: what it flags, the file it reads, the field every answer carries, and its training."""

import json
import logging
import shutil

import numpy as np
import pytest

from recognition.classifier import Classifier
from recognition.model_files import DEFAULT_MODEL, OTHER_MODELS
from recognition.not_a_digit import (
    DetectorUnavailable,
    card_path,
    detector_for,
    network_inputs,
    parameters_path,
    sha256_of,
)
from recognition.pad import PEN_WIDTHS
from recognition.preprocess import to_mnist
from recognition.strokes import render_strokes
from tests.helpers import FOUR, ONE, SEVEN, data_url, drawing_png, encoded, fresh_app, number_picture
from training import not_a_digit as training
from training.data import writer_set
from training.not_a_digit_data import mark_picture, pen_digit_picture

TAP = [[[140, 140]]]
DASH = [[[100, 150], [180, 150]]]
CROSS = [[[90, 90], [190, 190]], [[190, 90], [90, 190]]]


@pytest.fixture(scope="module")
def detector():
    return detector_for(DEFAULT_MODEL)


@pytest.fixture(scope="module")
def classifier():
    return Classifier(DEFAULT_MODEL).load()


def judged(detector, classifier, picture):
    image = to_mnist(picture)
    probabilities, features = classifier.outputs(image)
    return detector.is_not_a_digit(image, probabilities, features)


def test_the_shipped_parameters_belong_to_the_shipped_model(detector):
    assert detector.model_sha256 == sha256_of(DEFAULT_MODEL)
    card = json.loads(card_path(DEFAULT_MODEL).read_text())
    assert card["model_sha256"] == sha256_of(DEFAULT_MODEL) and card["threshold"] == detector.threshold


@pytest.mark.parametrize("kind", ["tap", "dash", "cross"])
def test_synthesised_marks_are_flagged(detector, classifier, kind):
    pictures = [mark_picture(kind, ("test mark", kind, i), PEN_WIDTHS["normal"]) for i in range(10)]
    flagged = [judged(detector, classifier, picture) for picture in pictures if to_mnist(picture) is not None]
    assert len(flagged) >= 5 and np.mean(flagged) >= 0.9


def test_pen_digits_of_unseen_writers_are_not_flagged(detector, classifier, pendigits):
    chosen = [(index, record) for index, record in enumerate(pendigits) if record["writer"] in writer_set("21-30")]
    sample = chosen[::25]
    flagged = [judged(detector, classifier, pen_digit_picture(record, index, 0, PEN_WIDTHS["normal"]))
               for index, record in sample]
    assert len(sample) >= 90 and sum(flagged) <= 1


def test_one_drawings_score_is_what_training_and_the_benchmark_compute_for_many(detector, classifier):
    pictures = [mark_picture("cross", ("test score", i), PEN_WIDTHS["normal"]) for i in range(4)]
    pictures += [render_strokes(strokes) for strokes in (SEVEN, FOUR, ONE, TAP)]
    images = [to_mnist(picture) for picture in pictures]
    outputs = [classifier.outputs(image) for image in images]
    one_by_one = [detector.score(image, *output) for image, output in zip(images, outputs)]
    together = detector.scores(network_inputs(np.stack(images), np.stack([p for p, _ in outputs]),
                                              np.stack([f for _, f in outputs]), detector.parameters))
    assert np.allclose(one_by_one, together, atol=1e-3)


def test_another_models_file_or_none_gives_no_detector(tmp_path):
    with pytest.raises(DetectorUnavailable, match="no not-a-digit parameters"):
        detector_for(OTHER_MODELS[0])
    copy = tmp_path / "digitpad-cnn.tflite"
    copy.write_bytes(DEFAULT_MODEL.read_bytes() + b"\0")
    shutil.copy(parameters_path(DEFAULT_MODEL), parameters_path(copy))
    with pytest.raises(DetectorUnavailable, match="another model file"):
        detector_for(copy)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.mark.parametrize("strokes, expected", [(TAP, True), (DASH, True), (CROSS, True), (SEVEN, False),
                                                (FOUR, False), (ONE, False)])
def test_predict_says_whether_it_is_a_digit_and_keeps_every_other_key(client, strokes, expected):
    answer = client.post("/api/predict", json={"image": data_url(drawing_png(strokes))}).get_json()
    assert answer["not_a_digit"] is expected
    assert set(answer) == {"digit", "confidence", "probabilities", "not_a_digit", "input", "model", "adapted"}
    assert answer["digit"] == int(np.argmax(answer["probabilities"]))


def test_every_answer_with_a_digit_carries_the_field(client):
    body = {"image": data_url(drawing_png(TAP))}
    everything = client.post("/api/predict?models=all&explain=1&steps=1", json=body).get_json()
    assert everything["not_a_digit"] is True
    saved = client.post("/api/samples", json={**body, "label": 3})
    assert saved.status_code == 201 and saved.get_json()["not_a_digit"] is True
    room = client.post("/api/rooms").get_json()["room"]
    sent = client.post(f"/api/rooms/{room}/drawings", json={**body, "strokes": TAP}, headers={"X-Client-Id": "p"})
    assert sent.status_code == 201 and sent.get_json()["not_a_digit"] is True
    seven = client.post(f"/api/rooms/{room}/drawings", json={"image": data_url(drawing_png(SEVEN))},
                        headers={"X-Client-Id": "p"})
    assert seven.get_json()["not_a_digit"] is False


def test_a_room_wall_hears_whether_each_drawing_is_a_digit(client):
    room = client.post("/api/rooms").get_json()["room"]
    for strokes in (TAP, SEVEN):
        client.post(f"/api/rooms/{room}/drawings", json={"image": data_url(drawing_png(strokes))},
                    headers={"X-Client-Id": "p"})
    assert client.delete(f"/api/rooms/{room}").status_code == 204
    stream = client.get(f"/api/rooms/{room}/events").get_data(as_text=True)
    drawings = [json.loads(line[len("data: "):]) for block in stream.split("\n\n") if "event: drawing" in block
                for line in block.splitlines() if line.startswith("data: ")]
    assert [drawing["not_a_digit"] for drawing in drawings] == [True, False]


def test_each_digit_of_a_number_says_whether_it_is_one_and_a_mark_reads_as_a_question_mark(client):
    seven_and_cross = [*SEVEN, *[[[x + 280, y] for x, y in stroke] for stroke in CROSS]]
    answer = client.post("/api/read", json={"image": data_url(encoded(number_picture(seven_and_cross)))}).get_json()
    assert [digit["not_a_digit"] for digit in answer["digits"]] == [False, True]
    assert answer["number"] == f"{answer['digits'][0]['digit']}?"


def test_the_model_card_reports_the_detectors_figures(client):
    figures = client.get("/api/model").get_json()["not_a_digit"]
    card = json.loads(card_path(DEFAULT_MODEL).read_text())
    assert figures["digits_flagged"] == card["figures"]["writers"]["flagged"]
    assert figures["held_out_doodles_flagged"] == card["figures"]["doodles"]["flagged"]
    assert figures["marks_flagged"] == card["figures"]["marks"]["flagged"]
    page = client.get("/model").get_data(as_text=True)
    assert f"{figures['digits_flagged'] * 100:.2f}&nbsp;%" in page and f"{figures['marks_flagged'] * 100:.2f}&nbsp;%" in page


def test_a_blank_pad_is_still_a_422(client):
    assert client.post("/api/predict", json={"image": data_url(drawing_png([]))}).status_code == 422


def test_without_parameters_answers_work_say_false_and_the_app_warns_once(tmp_path, caplog):
    model = tmp_path / "digitpad-cnn.tflite"
    shutil.copy(DEFAULT_MODEL, model)
    client = fresh_app(tmp_path, MODEL=str(model), MODELS=[]).test_client()
    with caplog.at_level(logging.WARNING):
        answers = [client.post("/api/predict", json={"image": data_url(drawing_png(TAP))}) for _ in range(2)]
    assert [answer.get_json()["not_a_digit"] for answer in answers] == [False, False]
    assert sum("not_a_digit false" in record.getMessage() for record in caplog.records) == 1


def test_training_writes_parameters_that_belong_to_the_model_and_a_card(tmp_path):
    out = tmp_path / "digitpad-cnn.not-a-digit.npz"
    assert training.main(["--scale", "0.005", "--epochs", "1", "--out", str(out)]) == 0
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["model_sha256"] == sha256_of(DEFAULT_MODEL)
    assert set(card["figures"]) >= {"writers", "doodles", "marks"}
    assert all(0 <= card["figures"][name]["flagged"] <= 1 for name in ("writers", "doodles", "marks"))
    assert card["data"]["doodles"]["sha256"] and "held-out doodle categories (never used here)" in card["fitted on"]
