"""Saving, listing, deleting and exporting labelled drawings."""

import base64
import io
import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from PIL import Image

from recognition.model_files import PROJECT_ROOT
from tests.helpers import ONE, SEVEN, data_url, drawing_png, encoded, fresh_app, save
from training.data import load_drawings
from training.drawn import fitted_set


@pytest.fixture
def lab(tmp_path):
    """A client of an app with its own empty samples database."""
    app = fresh_app(tmp_path)
    return app, app.test_client()


def test_save_list_and_delete(lab):
    _, client = lab
    first = save(client, SEVEN, 7)
    assert first.status_code == 201
    second = save(client, ONE, 7)
    assert second.status_code == 201
    listing = client.get("/api/samples?page=1&per_page=10").get_json()
    assert listing["total"] == 2 and listing["pages"] == 1
    newest, oldest = listing["samples"]
    assert newest["id"] == second.get_json()["id"] and oldest["id"] == first.get_json()["id"]
    assert oldest["label"] == 7 and oldest["prediction"] == 7 and len(oldest["probabilities"]) == 10
    assert oldest["image"].startswith("data:image/png;base64,") and oldest["input"].startswith("data:image/png")
    assert newest["prediction"] == 1
    mistakes = client.get("/api/samples?mistakes=1").get_json()
    assert [sample["id"] for sample in mistakes["samples"]] == [newest["id"]]
    assert client.delete(f"/api/samples/{newest['id']}").status_code == 204
    assert client.delete(f"/api/samples/{newest['id']}").status_code == 404
    assert client.get("/api/samples").get_json()["total"] == 1


def test_pages_are_numbered_from_one_newest_first(lab):
    _, client = lab
    ids = [save(client, SEVEN, 7).get_json()["id"] for _ in range(5)]
    pages = [client.get(f"/api/samples?page={n}&per_page=2").get_json() for n in (1, 2, 3)]
    assert [[s["id"] for s in p["samples"]] for p in pages] == [ids[:2:-1], ids[2:0:-1], ids[:1]]
    assert pages[0]["pages"] == 3


@pytest.mark.parametrize("body, status", [
    ({"image": "x", "label": 10, "strokes": []}, 400),
    ({"image": "x", "label": True, "strokes": []}, 400),
    ({"image": "x", "label": "7", "strokes": []}, 400),
    ({"label": 7, "strokes": []}, 400),
    ({"image": "@@@", "label": 7, "strokes": []}, 400),
    ({"image": None, "label": 7, "strokes": "no"}, 400),
    ({"image": None, "label": 7, "strokes": [[[1, "a"]]]}, 400),
    ({"image": None, "label": 7, "strokes": [[[1, 2]]] * 101}, 400),
    ({"image": None, "label": 7, "strokes": [[[1, 2]] * 20001]}, 400),
    ({"image": None, "label": 7, "strokes": [[[1, float("inf")]]]}, 400),
    ([1, 2], 400),
], ids=["label 10", "label bool", "label string", "no image", "bad base64", "strokes not a list",
        "point not numbers", "too many strokes", "too many points", "infinite coordinate", "not an object"])
def test_invalid_saves_are_refused(lab, body, status):
    _, client = lab
    if isinstance(body, dict) and body.get("image") is None and "image" in body:
        body["image"] = data_url(drawing_png(SEVEN))
    response = client.post("/api/samples", data=json.dumps(body), content_type="application/json")
    assert response.status_code == status
    assert "error" in response.get_json()
    assert client.get("/api/samples").get_json()["total"] == 0


def test_empty_drawing_is_not_saved(lab):
    _, client = lab
    blank = encoded(Image.new("RGBA", (280, 280)))
    response = client.post("/api/samples", json={"image": base64.b64encode(blank).decode(),
                                                 "label": 3, "strokes": []})
    assert response.status_code == 422


@pytest.mark.parametrize("headers", [{"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}])
def test_cross_site_writes_are_refused(lab, headers):
    _, client = lab
    assert save(client, SEVEN, 7, **headers).status_code == 403
    sample_id = save(client, SEVEN, 7).get_json()["id"]
    assert client.delete(f"/api/samples/{sample_id}", headers=headers).status_code == 403
    assert client.get("/api/samples").get_json()["total"] == 1


def test_same_origin_writes_are_accepted(lab):
    _, client = lab
    response = save(client, SEVEN, 7, Origin="http://localhost", **{"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 201


@pytest.mark.parametrize("query", ["page=0", "page=x", "per_page=0", "per_page=1000", "page=-1",
                                   "page=%C2%B2", "per_page=%C2%B9", "page=%D9%A3", "page=99999999999999999999",
                                   "page=1000001", "page=+1", "page=1.0", "mistakes=maybe", "mistakes=%C2%B9"])
def test_bad_query_parameters_are_a_json_400(lab, query):
    _, client = lab
    response = client.get(f"/api/samples?{query}")
    assert response.status_code == 400
    assert isinstance(response.get_json()["error"], str)


def test_the_last_allowed_page_is_empty_not_an_error(lab):
    _, client = lab
    response = client.get("/api/samples?page=1000000&per_page=100&mistakes=true")
    assert response.status_code == 200 and response.get_json()["samples"] == []


@pytest.mark.parametrize("sample_id", ["99999999999999999999", "0", "%C2%B2"])
def test_deleting_an_impossible_id_is_404(lab, sample_id):
    _, client = lab
    response = client.delete(f"/api/samples/{sample_id}")
    assert response.status_code == 404 and "error" in response.get_json()


def test_export_command_writes_training_data(lab, tmp_path):
    app, client = lab
    save(client, SEVEN, 7)
    save(client, ONE, 1)
    out = tmp_path / "export"
    result = app.test_cli_runner().invoke(args=["export-samples", str(out)])
    assert result.exit_code == 0, result.output
    with np.load(out / "digits.npz") as data:
        assert data["images"].shape == (2, 28, 28) and data["images"].dtype == np.uint8
        assert data["labels"].tolist() == [7, 1]
    records = load_drawings(out / "strokes.json")
    assert [record["label"] for record in records] == [7, 1]
    images, labels = fitted_set(records, [18])
    assert images.shape == (2, 28, 28) and labels.tolist() == [7, 1]


def test_export_download_is_a_zip_of_the_same_files(lab):
    _, client = lab
    save(client, SEVEN, 7)
    response = client.get("/api/samples/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert sorted(archive.namelist()) == ["digits.npz", "strokes.json"]
        assert json.loads(archive.read("strokes.json"))[0]["label"] == 7


def test_export_command_needs_no_model(lab, tmp_path):
    app, client = lab
    save(client, SEVEN, 7)
    out = tmp_path / "export"
    env = {**os.environ, "MODEL": str(tmp_path / "no-model.tflite"), "SAMPLES_DB": app.config["SAMPLES_DB"]}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "webapp", "export-samples", str(out)],
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    with np.load(out / "digits.npz") as data:
        assert data["labels"].tolist() == [7]
