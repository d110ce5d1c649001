"""The contract of what the "Look inside" panel asks for: the served models, one model's answer, every
model's answer, the evidence map and the preprocessing steps, and every way of asking wrongly."""

import base64
import html
import io
import json
import re

import numpy as np
import pytest
from PIL import Image

from recognition.model_files import PROJECT_ROOT
from recognition.preprocess import STEP_NAMES, to_mnist
from recognition.strokes import render_strokes
from tests.helpers import FOUR, ONE, SEVEN, Keys, data_url, drawing_png, fresh_app
from training.data import sha256_of
from webapp.predicting.served import default_model, plain_name, served_models

SUMMARY_FIELDS = {"name", "title", "architecture", "parameters", "mnist_test", "drawn_test", "default"}
BASELINES = {"digitpad-linear", "digitpad-mlp", "digitpad-cnn-single"}


@pytest.fixture(scope="module")
def seven_png():
    return drawing_png(SEVEN)


def predict_raw(client, png, query=""):
    return client.post(f"/api/predict{query}", data=png, content_type="image/png")


def png_pixels(url):
    assert url.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))


def test_models_lists_every_served_model_with_its_figures(client, app):
    listed = client.get("/api/models").get_json()
    assert all(set(entry) == SUMMARY_FIELDS for entry in listed)
    names = [entry["name"] for entry in listed]
    assert BASELINES <= set(names) and len(names) == len(set(names))
    assert [entry["name"] for entry in listed if entry["default"]] == [default_model(app).classifier.name]
    for entry in listed:
        assert 0.9 < entry["mnist_test"] <= 1 and entry["parameters"] > 0
        assert all(0 < accuracy <= 1 for accuracy in entry["drawn_test"].values())
    for name in BASELINES:
        entry = next(entry for entry in listed if entry["name"] == name)
        assert set(entry["drawn_test"]) == {"thin", "normal", "bold", "natural"}


def test_every_served_model_ships_with_the_card_of_its_files(app):
    with app.app_context():
        models = served_models()
    for model in models:
        card = json.loads(model.path.with_suffix(".json").read_text())
        for kind, shipped in (("keras", model.path.with_suffix(".keras")), ("tflite", model.path),
                              ("explain", model.explainer.path)):
            assert card["files"][kind] == {"file": shipped.name, "sha256": sha256_of(shipped)}, shipped
        assert card["command"].startswith("python train.py ") and card["source"]["clean"] is True
        for picture in ("confusion", "curves", "mistakes", "reliability"):
            assert (PROJECT_ROOT / "models" / f"{model.name}-{picture}.png").is_file(), (model.name, picture)


def test_every_served_litert_file_reads_as_its_keras_model(app, mnist_test):
    from recognition.classifier import Classifier

    batch = mnist_test[0][:100].astype(np.float32) / 255.0
    with app.app_context():
        models = served_models()
    for model in models:
        keras_model = Classifier(model.path.with_suffix(".keras"))
        assert np.abs(model.classifier.probabilities_batch(batch) - keras_model.probabilities_batch(batch)).max() < 1e-4


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_a_named_model_answers(client, seven_png, name):
    answer = predict_raw(client, seven_png, f"?model={name}").get_json()
    assert answer["model"] == name and answer["digit"] == 7
    assert client.post("/api/predict", json={"image": data_url(seven_png), "model": name}).get_json()["model"] == name


def test_all_models_answer_side_by_side(client, app, seven_png):
    answer = client.post("/api/predict", json={"image": data_url(seven_png), "models": "all"}).get_json()
    served = client.get("/api/models").get_json()
    assert [(reading["model"], reading["title"]) for reading in answer["compare"]] == \
        [(entry["name"], entry["title"]) for entry in served]
    for reading in answer["compare"]:
        assert set(reading) == {"model", "title", "digit", "confidence", "probabilities"}
        assert sum(reading["probabilities"]) == pytest.approx(1.0, abs=1e-6)
        assert reading["digit"] == int(np.argmax(reading["probabilities"]))
        assert reading["confidence"] == max(reading["probabilities"])
    assert answer["compare"][0]["probabilities"] == answer["probabilities"]
    assert {reading["digit"] for reading in answer["compare"]} == {7}


def test_the_served_models_are_named_in_plain_words_from_their_cards(client):
    titles = {entry["name"]: entry["title"] for entry in client.get("/api/models").get_json()}
    assert titles == {"digitpad-cnn": "Average of 2 convolutional networks",
                      "digitpad-cnn-single": "Convolutional network", "digitpad-mlp": "Dense network",
                      "digitpad-linear": "Linear model"}


@pytest.mark.parametrize("architecture", [None, "", "transformer", "average of two cnn", "average of 2 gru"])
def test_a_model_whose_card_names_no_known_architecture_keeps_its_file_name(architecture):
    assert plain_name(architecture, "digitpad-new") == "digitpad-new"


def test_the_explanation_weighs_the_answer_against_the_runner_up(client, seven_png):
    answer = predict_raw(client, seven_png, "?explain=1").get_json()
    explanation = answer["explanation"]
    assert set(explanation) == {"digit", "versus", "map"}
    ranked = np.argsort(answer["probabilities"])[::-1]
    assert (explanation["digit"], explanation["versus"]) == (answer["digit"], ranked[1])
    evidence = np.array(explanation["map"])
    assert evidence.shape == (28, 28) and np.isfinite(evidence).all()
    image = to_mnist(render_strokes(SEVEN))
    assert np.all(evidence[image == 0] == 0), "integrated gradients from black give no evidence to an empty pixel"
    assert evidence.sum() > 0, "the evidence as a whole is for the digit read"


def test_an_explanation_is_for_the_model_asked(client, seven_png):
    maps = [np.array(predict_raw(client, seven_png, f"?explain=true&model={name}").get_json()["explanation"]["map"])
            for name in ("digitpad-linear", "digitpad-mlp")]
    assert not np.allclose(*maps)


def test_steps_are_the_preprocessing_as_it_happened(client, seven_png):
    answer = predict_raw(client, seven_png, "?steps=yes").get_json()
    assert [step["name"] for step in answer["steps"]] == list(STEP_NAMES)
    pictures = [png_pixels(step["image"]) for step in answer["steps"]]
    assert pictures[0].shape == (280, 280) and max(pictures[2].shape) == 20
    assert answer["steps"][-1]["image"] == answer["input"]
    expected = np.round(to_mnist(render_strokes(SEVEN)) * 255)
    assert np.array_equal(pictures[-1], expected)


def test_multipart_takes_the_options_as_form_fields(client, seven_png):
    response = client.post("/api/predict", content_type="multipart/form-data",
                           data={"image": (io.BytesIO(seven_png), "seven.png"), "model": "digitpad-mlp",
                                 "models": "all", "explain": "1", "steps": "1"})
    answer = response.get_json()
    assert response.status_code == 200, answer
    assert answer["model"] == "digitpad-mlp" and {"compare", "explanation", "steps"} <= set(answer)


def test_nothing_extra_unless_asked(client, seven_png):
    answer = predict_raw(client, seven_png, "?explain=0&steps=no").get_json()
    assert set(answer) == set(predict_raw(client, seven_png).get_json())
    assert not {"compare", "explanation", "steps"} & set(answer)


@pytest.mark.parametrize("options", [{"model": "no-such-model"}, {"model": 7}, {"model": ["digitpad-mlp"]},
                                     {"models": "some"}, {"models": True}, {"explain": 1}, {"explain": "maybe"},
                                     {"steps": None}, {"steps": {}}])
def test_bad_options_in_json_are_400(client, seven_png, options):
    response = client.post("/api/predict", json={"image": data_url(seven_png), **options})
    assert response.status_code == 400
    assert isinstance(response.get_json()["error"], str)


@pytest.mark.parametrize("query", ["?model=nope", "?model=", "?models=ALL", "?explain=2", "?steps=maybe",
                                   "?model=../models/digitpad-cnn"])
def test_bad_options_in_the_query_are_400(client, seven_png, query):
    response = predict_raw(client, seven_png, query)
    assert response.status_code == 400
    assert isinstance(response.get_json()["error"], str)


def test_an_empty_pad_is_still_422_with_options(client):
    blank = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    buffer = io.BytesIO()
    blank.save(buffer, format="PNG")
    response = predict_raw(client, buffer.getvalue(), "?models=all&explain=1&steps=1")
    assert response.status_code == 422 and "empty" in response.get_json()["error"]


def test_the_model_page_serves_each_models_pictures_and_nothing_else(client):
    page = client.get("/model").get_data(as_text=True)
    for name in BASELINES:
        assert f'id="{name}"' in page
        for kind in ("confusion", "curves", "mistakes", "reliability"):
            response = client.get(f"/model/{name}/{kind}.png")
            assert response.status_code == 200 and response.mimetype == "image/png"
            assert f'src="/model/{name}/{kind}.png"' in page
    for path in ("/model/digitpad-cnn/secret.png", "/model/nothing/confusion.png", "/model/..%2Fwebapp/curves.png",
                 "/model/digitpad-cnn/..%2F..%2Fwebapp%2F__init__.png", "/model/digitpad-cnn/confusion.jpg"):
        assert client.get(path).status_code == 404, path


def test_an_adapted_answer_looks_inside_the_general_model(tmp_path, seven_png):
    client = fresh_app(tmp_path).test_client()
    keys = Keys()
    for strokes, label in ((SEVEN, 7), (ONE, 1), (FOUR, 4)):
        assert keys.save(client, strokes, label, "Ada").status_code == 201
    answer = client.post("/api/predict", json={"image": data_url(seven_png), "writer": "Ada", "models": "all",
                                               "explain": True, "writer_key": keys["Ada"]}).get_json()
    assert answer["adapted"] is True and answer["writer"] == "Ada"
    general = answer["general"]
    assert {key: answer["compare"][0][key] for key in general} == general
    assert answer["explanation"]["digit"] == general["digit"]
    form = client.post("/api/predict?writer=Ada", content_type="multipart/form-data",
                       headers={"X-Writer-Key": keys["Ada"]},
                       data={"image": (io.BytesIO(seven_png), "seven.png")}).get_json()
    assert form["adapted"] is True


def test_the_explanation_and_comparison_stay_with_the_general_reading_when_the_adapted_one_differs(tmp_path, seven_png):
    """Ada's "1" looks like our seven and her "7" like our one: the adapted answer to a seven is 1, the general 7."""
    client, keys = fresh_app(tmp_path).test_client(), Keys()
    assert keys.save(client, ONE, 7, "Ada").status_code == 201
    assert keys.save(client, SEVEN, 1, "Ada").status_code == 201
    options = {"image": data_url(seven_png), "models": "all", "explain": True}
    adapted = client.post("/api/predict", json={**options, "writer": "Ada", "writer_key": keys["Ada"]}).get_json()
    plain = client.post("/api/predict", json=options).get_json()
    assert adapted["adapted"] is True and (adapted["digit"], adapted["general"]["digit"]) == (1, 7)
    assert adapted["explanation"] == plain["explanation"] and adapted["explanation"]["digit"] == 7
    assert adapted["compare"] == plain["compare"]


def test_the_model_page_shows_each_training_command_exactly_as_it_runs(client):
    """The command is laid out an option at a time so a narrow screen breaks it between options; copied, it must
    still be the command on the card."""
    page = client.get("/model").get_data(as_text=True)
    shown = [re.sub(r"<[^>]+>", "", block) for block in re.findall(r'<pre class="command"><code>(.*?)</code></pre>',
                                                                   page, re.S)]
    commands = [json.loads((PROJECT_ROOT / "models" / f"{entry['name']}.json").read_text())["command"]
                for entry in client.get("/api/models").get_json()]
    assert sorted(html.unescape(text) for text in shown) == sorted(commands)
    assert all("<span>--" in block for block in re.findall(r'<pre class="command">.*?</pre>', page, re.S))
