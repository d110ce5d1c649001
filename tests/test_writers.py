"""Writer adaptation through the API: names, adapted answers, isolation between writers, forgetting."""

import io
import threading
import unicodedata
from urllib.parse import quote

import numpy as np
import pytest

from recognition import adaptation
from recognition.adaptation import VARIANTS, drawing_vectors, variant_inputs, vectors_key
from recognition.preprocess import to_mnist
from recognition.strokes import render_strokes
from tests.helpers import FOUR, ONE, SEVEN, Keys, data_url, drawing_png, save
from webapp.predicting.served import default_model
from webapp.storage import connections
from webapp.web.parsing import MAX_POINTS, MAX_STROKES

ELSEWHERE = {"REMOTE_ADDR": "192.0.2.7"}


@pytest.fixture
def client(store_app):
    return store_app.test_client()


@pytest.fixture
def keys():
    return Keys()


def predict(client, strokes, writer=None, key=None):
    body = {"image": data_url(drawing_png(strokes))}
    if writer is not None:
        body["writer"] = writer
    if key is not None:
        body["writer_key"] = key
    response = client.post("/api/predict", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def teach_swapped(client, keys, writer):
    """The writer's "1" looks like our seven and their "7" like our one: only adaptation reads them their way."""
    assert keys.save(client, ONE, 7, writer).status_code == 201
    assert keys.save(client, SEVEN, 1, writer).status_code == 201


@pytest.mark.parametrize("name", ["", " ", "   ", "a" * 65, "a/b", "<script>", "ann\n\tx", "tab\there", ".", "..",
                                  "-'_", 7, ["ann"], {"name": "ann"}, True])
def test_bad_names_are_refused_everywhere(client, name):
    for response in (save(client, SEVEN, 7, writer=name),
                     client.post("/api/predict", json={"image": data_url(drawing_png(SEVEN)), "writer": name})):
        assert response.status_code == 400
        assert "writer" in response.get_json()["error"]
    assert client.get("/api/writers").get_json() == []


@pytest.mark.parametrize("name", ["a", "Zoë O'Neill", "ann-marie_2.0", "a" * 64, "李雷", "प्रिया", "தமிழ்", "Ωmega 7"])
def test_good_names_are_kept_as_given(client, name):
    assert save(client, SEVEN, 7, writer=name).status_code == 201
    assert [s["writer"] for s in client.get("/api/samples").get_json()["samples"]] == [name]
    assert client.get("/api/writers").get_json() == [{"writer": name, "samples": 1, "per_digit": [0] * 7 + [1, 0, 0]}]


def test_the_first_save_under_a_name_answers_with_its_key_and_only_the_first(client, keys):
    first = keys.save(client, SEVEN, 7, "ann").get_json()
    assert isinstance(first["writer_key"], str) and len(first["writer_key"]) >= 32
    again = keys.save(client, ONE, 1, "ann")
    assert again.status_code == 201 and "writer_key" not in again.get_json()
    header = save(client, FOUR, 4, writer="ann", **{"X-Writer-Key": keys["ann"]})
    assert header.status_code == 201
    assert "writer_key" not in save(client, FOUR, 4).get_json()
    with client.application.app_context(), connections.transaction() as db:
        stored = [dict(row) for row in connections.run(db, "SELECT * FROM writers")]
    assert len(stored) == 1 and keys["ann"] not in str(stored)


def test_a_strangers_saves_under_a_taken_name_are_refused_and_teach_nothing(client, keys):
    teach_swapped(client, keys, "Ada")
    owners_answers = (predict(client, ONE, "Ada", keys["Ada"]), predict(client, SEVEN, "Ada", keys["Ada"]))
    for key in (None, "", "a wrong key", keys["Ada"][:-1]):
        for _ in range(3):
            refused = save(client, ONE, 1, writer="Ada", key=key)
            assert refused.status_code == 403 and "taken" in refused.get_json()["error"]
            assert save(client, SEVEN, 7, writer="Ada", key=key).status_code == 403
    assert (predict(client, ONE, "Ada", keys["Ada"]), predict(client, SEVEN, "Ada", keys["Ada"])) == owners_answers
    assert client.get("/api/writers").get_json()[0]["samples"] == 2


@pytest.mark.parametrize("spelling", ["ada", " Ada ", "ＡＤＡ", "\u0410da", "\u0391da"])
def test_lookalike_spellings_of_a_name_are_that_writer(client, keys, spelling):
    teach_swapped(client, keys, "Ada")
    assert save(client, FOUR, 4, writer=spelling).status_code == 403
    assert save(client, FOUR, 4, writer=spelling, key=keys["Ada"]).status_code == 201
    assert predict(client, ONE, spelling, keys["Ada"])["writer"] == "Ada"
    assert [w["writer"] for w in client.get("/api/writers").get_json()] == ["Ada"]


def test_nfc_and_nfd_spellings_are_one_writer(client, keys):
    composed, decomposed = unicodedata.normalize("NFC", "Zoë"), unicodedata.normalize("NFD", "Zoë")
    assert composed != decomposed
    assert keys.save(client, ONE, 7, composed).status_code == 201
    assert save(client, SEVEN, 1, writer=decomposed).status_code == 403
    assert save(client, SEVEN, 1, writer=decomposed, key=keys[composed]).status_code == 201
    assert predict(client, ONE, decomposed, keys[composed])["writer_samples"] == 2
    assert client.get("/api/writers").get_json() == [{"writer": composed, "samples": 2,
                                                      "per_digit": [0, 1, 0, 0, 0, 0, 0, 1, 0, 0]}]


@pytest.mark.parametrize("name", ["प्रिया", "தமிழ்"])
def test_names_with_combining_marks_adapt_and_are_forgotten(client, keys, name):
    teach_swapped(client, keys, name)
    assert predict(client, ONE, name, keys[name])["digit"] == 7
    assert client.delete(f"/api/writers/{quote(name)}", headers={"X-Writer-Key": keys[name]}).status_code == 200
    assert client.get("/api/writers").get_json() == []


def test_samples_carry_and_filter_by_writer(client, keys):
    keys.save(client, SEVEN, 7, "ann")
    keys.save(client, ONE, 1, "bob")
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


def test_without_the_key_a_prediction_is_exactly_the_one_with_no_name(client, keys):
    teach_swapped(client, keys, "Ada")
    general = predict(client, ONE)
    png = drawing_png(ONE)
    for key in (None, "", "a wrong key", keys["Ada"].upper()):
        assert predict(client, ONE, "Ada", key) == general
        headers = {} if key is None else {"X-Writer-Key": key}
        raw = client.post("/api/predict?writer=Ada", data=png, content_type="image/png", headers=headers)
        assert raw.get_json() == general
    assert predict(client, ONE, "Ada", keys["Ada"])["adapted"] is True


def test_the_answer_adapts_to_the_writers_drawings(client, keys):
    general = predict(client, ONE)
    assert general["digit"] == 1
    teach_swapped(client, keys, "ann")
    adapted = predict(client, ONE, "ann", keys["ann"])
    assert adapted["adapted"] is True and adapted["writer"] == "ann" and adapted["writer_samples"] == 2
    assert adapted["digit"] == 7
    assert adapted["general"] == {key: general[key] for key in ("digit", "confidence", "probabilities")}
    assert sum(adapted["probabilities"]) == pytest.approx(1.0)
    assert predict(client, SEVEN, "ann", keys["ann"])["digit"] == 1


def test_writer_and_key_are_read_from_multipart_and_raw_bodies(client, keys):
    teach_swapped(client, keys, "ann")
    png = drawing_png(ONE)
    multipart = client.post("/api/predict", data={"image": (io.BytesIO(png), "one.png"), "writer": "ann",
                                                  "writer_key": keys["ann"]})
    raw = client.post("/api/predict?writer=ann", data=png, content_type="image/png",
                      headers={"X-Writer-Key": keys["ann"]})
    for response in (multipart, raw):
        assert response.status_code == 200
        assert response.get_json()["adapted"] is True and response.get_json()["digit"] == 7
    assert client.post("/api/predict?writer=a%2Fb", data=png, content_type="image/png").status_code == 400
    assert client.post("/api/predict", json={"image": data_url(png), "writer": "ann", "writer_key": 7}).status_code == 400


def test_one_writers_drawings_change_no_one_elses_answers(client, keys):
    before = {"general": predict(client, ONE), "bob": predict(client, ONE, "bob")}
    keys.save(client, ONE, 1, "bob")
    keys.save(client, SEVEN, 7, "bob")
    bob = predict(client, ONE, "bob", keys["bob"])
    teach_swapped(client, keys, "ann")
    for _ in range(3):
        keys.save(client, FOUR, 9, "ann")
    assert predict(client, ONE) == before["general"]
    assert predict(client, ONE, "bob", keys["bob"]) == bob
    assert predict(client, ONE, "ann", keys["ann"])["digit"] == 7


def test_a_saved_drawing_counts_for_the_very_next_prediction_under_concurrent_saves(store_app):
    app = store_app
    failures = []

    def writer_session(name):
        client, keys = app.test_client(), Keys()
        for count in range(1, 6):
            if keys.save(client, ONE if count % 2 else SEVEN, 7 if count % 2 else 1, name).status_code != 201:
                failures.append((name, count, "save"))
            answer = predict(client, ONE, name, keys.get(name))
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


def test_only_one_of_two_first_saves_at_once_gets_the_name(store_app):
    results, barrier = [], threading.Barrier(4)

    def first_save():
        client = store_app.test_client()
        barrier.wait()
        results.append(save(client, SEVEN, 7, writer="Kim").status_code)

    threads = [threading.Thread(target=first_save) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [201, 403, 403, 403]


def test_forgetting_a_writer_needs_their_key_and_removes_only_their_drawings(client, keys):
    teach_swapped(client, keys, "ann")
    keys.save(client, SEVEN, 7, "bob")
    for headers in ({}, {"X-Writer-Key": "a wrong key"}, {"X-Writer-Key": keys["bob"]}):
        assert client.delete("/api/writers/ann", headers=headers).status_code == 403
    assert client.delete("/api/writers/nobody").status_code == 403
    assert predict(client, ONE, "ann", keys["ann"])["adapted"] is True
    assert client.delete("/api/writers/ann", json={"writer_key": keys["ann"]}).get_json() == {"forgotten": 2}
    assert predict(client, ONE, "ann", keys["ann"])["adapted"] is False
    assert [s["writer"] for s in client.get("/api/samples").get_json()["samples"]] == ["bob"]
    assert client.delete("/api/writers/ann", headers={"X-Writer-Key": keys["ann"]}).status_code == 403
    assert client.delete("/api/writers/a%2Fb").status_code == 400
    assert [w["writer"] for w in client.get("/api/writers").get_json()] == ["bob"]
    fresh = save(client, ONE, 1, writer="ann")
    assert fresh.status_code == 201 and fresh.get_json()["writer_key"] != keys["ann"]


def test_writers_from_before_names_had_keys_are_claimed_by_the_first_save(client):
    saved = save(client, ONE, 7).get_json()["id"]
    with client.application.app_context(), connections.transaction() as db:
        connections.run(db, "UPDATE samples SET writer = 'old' WHERE id = ?", (saved,))
    assert predict(client, ONE, "old") == predict(client, ONE)
    key = save(client, SEVEN, 1, writer="old").get_json()["writer_key"]
    assert predict(client, ONE, "old", key)["writer_samples"] == 2
    assert save(client, SEVEN, 1, writer="old").status_code == 403


def test_writes_from_other_sites_are_refused(client, keys):
    teach_swapped(client, keys, "ann")
    evil = {"Origin": "https://evil.example"}
    assert save(client, SEVEN, 7, writer="ann", key=keys["ann"], **evil).status_code == 403
    key = {"X-Writer-Key": keys["ann"]}
    assert client.delete("/api/writers/ann", headers={**evil, **key}).status_code == 403
    assert client.delete("/api/writers/ann", headers={"Sec-Fetch-Site": "cross-site", **key}).status_code == 403
    assert client.get("/api/writers").get_json()[0]["samples"] == 2


def test_the_list_of_writers_is_private_to_this_machine_but_forgetting_is_not(client, keys):
    teach_swapped(client, keys, "ann")
    client.environ_base.update(ELSEWHERE)
    assert client.get("/api/writers").status_code == 403
    assert client.delete("/api/writers/ann", headers={"X-Writer-Key": keys["ann"]}).status_code == 200


def test_drawings_saved_under_another_model_are_read_again(store_app, keys):
    app = store_app
    client = app.test_client()
    teach_swapped(client, keys, "ann")
    with app.app_context(), connections.transaction() as db:
        connections.run(db, "UPDATE adaptation_vectors SET model = 'an-older-model'")
    assert predict(client, ONE, "ann", keys["ann"])["digit"] == 7
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


def test_resemblance_can_count_several_nearest_vectors_and_the_digits_prototype():
    general = np.full(10, 0.1)
    features = np.array([1.0, 0.0], np.float32)
    sevens = adaptation.unit_rows(np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], np.float32))
    ones = adaptation.unit_rows(np.array([[0.8, 0.6], [0.8, 0.6], [0.8, 0.6]], np.float32))
    vectors, labels = np.concatenate([sevens, ones]), np.array([7, 7, 7, 1, 1, 1])
    nearest_only = adaptation.adapted_probabilities(general, features, vectors, labels)
    assert np.allclose(adaptation.adapted_probabilities(general, features, vectors, labels, nearest=1,
                                                       prototype_weight=0.0), nearest_only)
    assert int(np.argmax(nearest_only)) == 7
    assert int(np.argmax(adaptation.adapted_probabilities(general, features, vectors, labels, nearest=3))) == 1
    assert int(np.argmax(adaptation.adapted_probabilities(general, features, vectors, labels,
                                                          prototype_weight=1.0))) == 1


def test_thinning_keeps_each_strokes_ends_and_most_of_the_budget():
    long_stroke = [[float(x), 0.0] for x in range(1000)]
    short_stroke = [[0.0, float(y)] for y in range(200)]
    thinned = adaptation.thinned([long_stroke, short_stroke], 240)
    assert [len(stroke) for stroke in thinned] == [200, 40]
    assert [(stroke[0], stroke[-1]) for stroke in thinned] == [(long_stroke[0], long_stroke[-1]),
                                                               (short_stroke[0], short_stroke[-1])]
