"""Writer adaptation through the API: names, adapted answers, isolation between writers, forgetting."""

import io
import threading

import numpy as np
import pytest

from recognition import adaptation
from recognition.adaptation import VARIANTS, drawing_vectors, variant_inputs, vectors_key
from recognition.preprocess import to_mnist
from recognition.strokes import render_strokes
from tests.helpers import FOUR, ONE, SEVEN, data_url, drawing_png, save
from webapp.lab.drawings import MAX_POINTS, MAX_STROKES
from webapp.predicting.served import default_model
from webapp.storage import connections

ELSEWHERE = {"REMOTE_ADDR": "192.0.2.7"}


@pytest.fixture
def client(store_app):
    return store_app.test_client()


def predict(client, strokes, writer=None):
    body = {"image": data_url(drawing_png(strokes))}
    if writer is not None:
        body["writer"] = writer
    response = client.post("/api/predict", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def teach_swapped(client, writer):
    """The writer's "1" looks like our seven and their "7" like our one: only adaptation reads them their way."""
    assert save(client, ONE, 7, writer=writer).status_code == 201
    assert save(client, SEVEN, 1, writer=writer).status_code == 201


@pytest.mark.parametrize("name", ["", " ", "   ", "a" * 65, "a/b", "<script>", "ann\n", "tab\there", 7, ["ann"],
                                  {"name": "ann"}, True])
def test_bad_names_are_refused_everywhere(client, name):
    for response in (save(client, SEVEN, 7, writer=name),
                     client.post("/api/predict", json={"image": data_url(drawing_png(SEVEN)), "writer": name})):
        assert response.status_code == 400
        assert "writer" in response.get_json()["error"]
    assert client.get("/api/writers").get_json() == []


@pytest.mark.parametrize("name", ["a", "Zoë O'Neill", "ann-marie_2.0", "a" * 64, "李雷"])
def test_good_names_are_kept_as_given(client, name):
    assert save(client, SEVEN, 7, writer=name).status_code == 201
    assert [s["writer"] for s in client.get("/api/samples").get_json()["samples"]] == [name]
    assert client.get("/api/writers").get_json() == [{"writer": name, "samples": 1, "per_digit": [0] * 7 + [1, 0, 0]}]


def test_samples_carry_and_filter_by_writer(client):
    save(client, SEVEN, 7, writer="ann")
    save(client, ONE, 1, writer="bob")
    save(client, FOUR, 4)
    listing = client.get("/api/samples").get_json()["samples"]
    assert [s["writer"] for s in listing] == [None, "bob", "ann"]
    ann = client.get("/api/samples", query_string={"writer": "ann"}).get_json()
    assert ann["total"] == 1 and ann["samples"][0]["label"] == 7
    assert client.get("/api/samples", query_string={"writer": "a/b"}).status_code == 400


def test_a_writer_without_drawings_gets_exactly_the_general_answer(client):
    general = predict(client, ONE)
    unknown = predict(client, ONE, writer="nobody")
    assert unknown["adapted"] is False and general["adapted"] is False
    assert unknown == general


def test_the_answer_adapts_to_the_writers_drawings(client):
    general = predict(client, ONE)
    assert general["digit"] == 1
    teach_swapped(client, "ann")
    adapted = predict(client, ONE, writer="ann")
    assert adapted["adapted"] is True and adapted["writer"] == "ann" and adapted["writer_samples"] == 2
    assert adapted["digit"] == 7
    assert adapted["general"] == {key: general[key] for key in ("digit", "confidence", "probabilities")}
    assert sum(adapted["probabilities"]) == pytest.approx(1.0)
    assert predict(client, SEVEN, writer="ann")["digit"] == 1


def test_writer_is_read_from_multipart_and_raw_bodies(client):
    teach_swapped(client, "ann")
    png = drawing_png(ONE)
    multipart = client.post("/api/predict", data={"image": (io.BytesIO(png), "one.png"), "writer": "ann"})
    raw = client.post("/api/predict?writer=ann", data=png, content_type="image/png")
    for response in (multipart, raw):
        assert response.status_code == 200
        assert response.get_json()["adapted"] is True and response.get_json()["digit"] == 7
    assert client.post("/api/predict?writer=a%2Fb", data=png, content_type="image/png").status_code == 400


def test_one_writers_drawings_change_no_one_elses_answers(client):
    before = {"general": predict(client, ONE), "bob": predict(client, ONE, writer="bob")}
    save(client, ONE, 1, writer="bob")
    save(client, SEVEN, 7, writer="bob")
    bob = predict(client, ONE, writer="bob")
    teach_swapped(client, "ann")
    for _ in range(3):
        save(client, FOUR, 9, writer="ann")
    assert predict(client, ONE) == before["general"]
    assert predict(client, ONE, writer="bob") == bob
    assert predict(client, ONE, writer="ann")["digit"] == 7


def test_a_saved_drawing_counts_for_the_very_next_prediction_under_concurrent_saves(store_app):
    app = store_app
    failures = []

    def writer_session(name):
        client = app.test_client()
        for count in range(1, 6):
            if save(client, ONE if count % 2 else SEVEN, 7 if count % 2 else 1, writer=name).status_code != 201:
                failures.append((name, count, "save"))
            answer = predict(client, ONE, writer=name)
            if not answer["adapted"] or answer["writer_samples"] != count:
                failures.append((name, count, answer.get("writer_samples")))

    threads = [threading.Thread(target=writer_session, args=(f"writer {n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    writers = app.test_client().get("/api/writers").get_json()
    assert [(w["writer"], w["samples"], w["per_digit"][1], w["per_digit"][7]) for w in writers] == \
        [(f"writer {n}", 5, 2, 3) for n in range(4)]


def test_forgetting_a_writer_removes_their_drawings_and_adaptation(client):
    teach_swapped(client, "ann")
    save(client, SEVEN, 7, writer="bob")
    assert client.delete("/api/writers/ann").status_code == 204
    assert predict(client, ONE, writer="ann")["adapted"] is False
    assert [s["writer"] for s in client.get("/api/samples").get_json()["samples"]] == ["bob"]
    assert client.delete("/api/writers/ann").status_code == 404
    assert client.delete("/api/writers/Zo%C3%AB%20O'Neill").status_code == 404
    assert client.delete("/api/writers/a%2Fb").status_code == 400
    assert [w["writer"] for w in client.get("/api/writers").get_json()] == ["bob"]


def test_writes_from_other_sites_are_refused(client):
    teach_swapped(client, "ann")
    evil = {"Origin": "https://evil.example"}
    assert save(client, SEVEN, 7, writer="ann", **evil).status_code == 403
    assert client.delete("/api/writers/ann", headers=evil).status_code == 403
    assert client.delete("/api/writers/ann", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.get("/api/writers").get_json()[0]["samples"] == 2


def test_the_list_of_writers_is_private_to_this_machine(client):
    teach_swapped(client, "ann")
    client.environ_base.update(ELSEWHERE)
    assert client.get("/api/writers").status_code == 403
    assert client.delete("/api/writers/ann").status_code == 204


def test_drawings_saved_under_another_model_are_read_again(store_app):
    app = store_app
    client = app.test_client()
    teach_swapped(client, "ann")
    with app.app_context(), connections.transaction() as db:
        connections.run(db, "UPDATE adaptation_vectors SET model = 'an-older-model'")
    assert predict(client, ONE, writer="ann")["digit"] == 7
    with app.app_context(), connections.transaction() as db:
        keys = {row["model"] for row in connections.run(db, "SELECT model FROM adaptation_vectors")}
    assert keys == {"an-older-model", vectors_key(default_model(app).classifier)}


def test_vectors_are_the_drawing_and_its_variants(app):
    classifier = default_model(app).classifier
    image = to_mnist(render_strokes(FOUR))
    variants = variant_inputs(FOUR)
    assert len(variants) == VARIANTS
    assert all(np.abs(variant - image).max() > 0.1 for variant in variants)
    assert np.array_equal(np.stack(variant_inputs(FOUR)), np.stack(variants))
    vectors = drawing_vectors(classifier, image, FOUR)
    assert vectors.shape == (1 + VARIANTS, classifier.feature_count) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert drawing_vectors(classifier, image, []).shape == (1, classifier.feature_count)


def test_the_heaviest_drawing_a_writer_saves_is_drawn_again_from_a_bounded_number_of_points(app, monkeypatch):
    """A save's cost is bounded: its variants are drawn from at most about VARIANT_POINTS points."""
    drawn = []
    real = adaptation.render_strokes
    monkeypatch.setattr(adaptation, "render_strokes",
                        lambda strokes, **pen: drawn.append(sum(map(len, strokes))) or real(strokes, **pen))
    points = MAX_POINTS // MAX_STROKES
    heavy = [[[20 + x, 20 + stroke * 2 + (x % 7)] for x in range(points)] for stroke in range(MAX_STROKES)]
    response = app.test_client().post("/api/samples", json={"image": data_url(drawing_png(heavy)), "label": 7,
                                                 "strokes": heavy, "writer": "heavy hand"})
    assert response.status_code == 201
    assert len(drawn) == VARIANTS and 0 < max(drawn) <= adaptation.VARIANT_POINTS + MAX_STROKES
    assert adaptation.thinned(FOUR, adaptation.VARIANT_POINTS) == FOUR


def test_a_writer_who_resembles_every_digit_alike_gets_the_general_probabilities():
    general = np.array([0.02, 0.5, 0.1, 0.0, 0.08, 0.1, 0.05, 0.05, 0.05, 0.05])
    features = np.ones(4, np.float32)
    vectors = np.tile(adaptation.unit_rows(features), (10, 1))
    adapted = adaptation.adapted_probabilities(general, features, vectors, np.arange(10))
    assert np.allclose(adapted, general, atol=1e-6)


def test_resemblance_can_lift_a_digit_the_general_model_ruled_out():
    general = np.full(10, 0.1)
    general[3], general[1] = 0.0, 0.2
    features = np.array([1.0, 0.0], np.float32)
    vectors = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    adapted = adaptation.adapted_probabilities(general, features, vectors, np.array([3, 1]))
    assert np.isfinite(adapted).all() and int(np.argmax(adapted)) == 3


def test_thinning_keeps_each_strokes_ends_and_most_of_the_budget():
    long_stroke = [[float(x), 0.0] for x in range(1000)]
    short_stroke = [[0.0, float(y)] for y in range(200)]
    thinned = adaptation.thinned([long_stroke, short_stroke], 240)
    assert [len(stroke) for stroke in thinned] == [200, 40]
    assert [(stroke[0], stroke[-1]) for stroke in thinned] == [(long_stroke[0], long_stroke[-1]),
                                                               (short_stroke[0], short_stroke[-1])]
