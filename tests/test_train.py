"""train.py end to end on a tiny dataset, its loaders, and its clear errors."""

import gzip
import json
import os
import signal
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import train
from training.data import DataError, load_mnist, sha256_of

ROOT = Path(__file__).resolve().parent.parent
CARD_FIELDS = ("name", "architecture", "parameters", "epochs_run", "batch_size", "seed", "command", "data",
               "environment", "training_seconds", "mnist_test", "trained_at")


def tiny_mnist(count=120):
    """Blocky fake digits: each class lights up its own band of rows, so a model can learn them."""
    rng = np.random.default_rng(0)
    labels = np.arange(count) % 10
    images = rng.integers(0, 40, (count, 28, 28)).astype(np.uint8)
    for image, label in zip(images, labels):
        image[4 + 2 * label: 6 + 2 * label, 6:22] = 255
    return images, labels.astype(np.uint8)


@pytest.fixture
def tiny_npz(tmp_path):
    x_train, y_train = tiny_mnist(200)
    x_test, y_test = tiny_mnist(50)
    path = tmp_path / "tiny.npz"
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return path


def write_idx(path, array, gz):
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    opener = gzip.open if gz else open
    with opener(path, "wb") as stream:
        stream.write(header + array.tobytes())


def test_idx_folder_and_npz_load_the_same(tmp_path, tiny_npz):
    from_npz = load_mnist(tiny_npz)
    for gz in (False, True):
        folder = tmp_path / f"idx-{gz}"
        folder.mkdir()
        for key, stem in (("x_train", "train-images-idx3-ubyte"), ("y_train", "train-labels-idx1-ubyte"),
                          ("x_test", "t10k-images-idx3-ubyte"), ("y_test", "t10k-labels-idx1-ubyte")):
            write_idx(folder / (stem + (".gz" if gz else "")), from_npz[key], gz)
        from_idx = load_mnist(folder)
        for key in from_npz:
            np.testing.assert_array_equal(from_idx[key], from_npz[key])


def test_wrongly_shaped_data_is_a_data_error(tmp_path):
    path = tmp_path / "bad.npz"
    np.savez(path, x_train=np.zeros((5, 28, 27)), y_train=np.zeros(5), x_test=np.zeros((5, 28, 28)),
             y_test=np.zeros(5))
    with pytest.raises(DataError, match=r"x_train has shape \(5, 28, 27\)"):
        load_mnist(path)


@pytest.mark.parametrize("make_path, message", [
    (lambda tmp: tmp / "missing.npz", "no such file"),
    (lambda tmp: (tmp / "garbage.npz").write_bytes(b"garbage") and tmp / "garbage.npz", "cannot read"),
    (lambda tmp: tmp, "has neither"),
])
def test_bad_data_stops_with_one_line_and_exit_2(tmp_path, make_path, message):
    result = subprocess.run([sys.executable, "train.py", "--data", str(make_path(tmp_path)), "--out", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def drawn_digits_file(path):
    """Two writers' worth of simple strokes in the pen-stroke JSON format."""
    shapes = {1: [[[250, 100], [250, 400]]], 7: [[[150, 100], [350, 100], [220, 400]]]}
    records = [{"label": label, "writer": writer, "strokes": strokes}
               for writer in (1, 2, 3) for label, strokes in shapes.items()]
    path.write_text(json.dumps(records))
    return path


def test_whole_script_on_tiny_data(tmp_path, tiny_npz):
    extra = drawn_digits_file(tmp_path / "strokes.json")
    status = train.main(["--data", str(tiny_npz), "--arch", "cnn", "--epochs", "1", "--batch-size", "32",
                         "--extra", str(extra), "--val-writers", "2", "--test-writers", "3",
                         "--out", str(tmp_path / "out"), "--name", "tiny", "--quiet"])
    assert status == 0
    out = tmp_path / "out"
    card = json.loads((out / "tiny.json").read_text())
    for field in CARD_FIELDS:
        assert field in card, field
    assert card["architecture"] == "cnn" and card["epochs_run"] == 1 and card["augmented"] is True
    assert len(card["data"]["mnist_sha256"]) == 64
    assert card["data"]["training_images"] == 180 + 2 * 3
    assert card["data"]["validation_images"] == 20 + 2
    assert np.array(card["mnist_test"]["confusion_matrix"]).sum() == 50
    assert set(card["drawn_test"]) == {"thin", "normal", "bold", "natural"}
    for suffix in ("keras", "tflite"):
        assert card["files"][suffix]["sha256"] == sha256_of(out / f"tiny.{suffix}")
    assert card["source"]["commit"] and isinstance(card["source"]["clean"], bool)
    assert 0 <= card["mnist_test"]["calibration"]["expected_calibration_error"] <= 1
    for picture in ("confusion", "curves", "mistakes", "reliability"):
        assert (out / f"tiny-{picture}.png").stat().st_size > 1000

    import keras

    model = keras.saving.load_model(out / "tiny.keras")
    assert getattr(model, "optimizer", None) is None
    probabilities = model(np.zeros((1, 28, 28, 1), np.float32)).numpy()
    assert probabilities.shape == (1, 10) and probabilities.sum() == pytest.approx(1.0, abs=1e-5)

    from recognition.classifier import Classifier

    litert = Classifier(out / "tiny.tflite").probabilities(np.zeros((28, 28), np.float32))
    assert np.abs(litert - probabilities[0]).max() < 1e-4


def test_members_are_averaged_into_one_model(tmp_path, tiny_npz):
    assert train.main(["--data", str(tiny_npz), "--arch", "linear", "--members", "2", "--epochs", "2",
                       "--extra", "none", "--out", str(tmp_path), "--quiet"]) == 0
    card = json.loads((tmp_path / "digitpad-linear.json").read_text())
    assert card["architecture"] == "average of 2 linear"
    assert [member["seed"] for member in card["members"]] == [1, 2]
    assert card["epochs_run"] == 4 and card["parameters"] == 2 * (28 * 28 * 10 + 10)

    from recognition.classifier import Classifier

    image = np.random.default_rng(0).random((28, 28)).astype(np.float32)
    litert = Classifier(tmp_path / "digitpad-linear.tflite").probabilities(image)
    keras_model = Classifier(tmp_path / "digitpad-linear.keras").probabilities(image)
    assert np.abs(litert - keras_model).max() < 1e-5


@pytest.mark.parametrize("arch", ["linear", "mlp"])
def test_baselines_train(tmp_path, tiny_npz, arch):
    assert train.main(["--data", str(tiny_npz), "--arch", arch, "--epochs", "4", "--learning-rate", "0.01",
                       "--extra", "none", "--out", str(tmp_path), "--quiet"]) == 0
    card = json.loads((tmp_path / f"digitpad-{arch}.json").read_text())
    assert card["augmented"] is False and card["mnist_test"]["accuracy"] > 0.5


def test_ctrl_c_keeps_the_best_epoch_so_far(tmp_path, tiny_npz):
    process = subprocess.Popen(
        [sys.executable, "train.py", "--data", str(tiny_npz), "--arch", "linear", "--epochs", "100000",
         "--patience", "100000", "--extra", "none", "--out", str(tmp_path), "--quiet"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    for line in process.stdout:
        if line.startswith("Epoch 3/"):
            break
    process.send_signal(signal.SIGINT)
    output = process.communicate(timeout=120)[0]
    assert process.returncode == 0, output
    assert "interrupted" in output
    card = json.loads((tmp_path / "digitpad-linear.json").read_text())
    assert card["interrupted"] is True and card["epochs_run"] >= 2
    assert (tmp_path / "digitpad-linear.keras").exists()


def weights_of(path):
    import keras

    return keras.saving.load_model(path).get_weights()


def test_the_same_command_and_seed_give_identical_weights(tmp_path, tiny_npz):
    extra = drawn_digits_file(tmp_path / "strokes.json")
    for run in ("first", "second"):
        assert train.main(["--data", str(tiny_npz), "--arch", "cnn", "--epochs", "2", "--batch-size", "32",
                           "--extra", str(extra), "--out", str(tmp_path / run), "--quiet"]) == 0
    first, second = weights_of(tmp_path / "first" / "digitpad-cnn.keras"), weights_of(tmp_path / "second" / "digitpad-cnn.keras")
    assert len(first) == len(second)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_ctrl_c_during_a_later_network_drops_that_network(tmp_path, tiny_npz):
    process = subprocess.Popen(
        [sys.executable, "train.py", "--data", str(tiny_npz), "--arch", "linear", "--members", "2",
         "--epochs", "3", "--patience", "100000", "--extra", "none", "--out", str(tmp_path), "--quiet"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    epochs_seen = 0
    for line in process.stdout:
        epochs_seen += line.startswith("Epoch ")
        if epochs_seen == 5:
            process.send_signal(signal.SIGINT)
            break
    output = process.communicate(timeout=120)[0]
    assert process.returncode == 0, output
    assert "dropped network 2" in output
    card = json.loads((tmp_path / "digitpad-linear.json").read_text())
    assert card["interrupted"] is True and card["architecture"] == "linear"
    assert [member["epochs_run"] for member in card["members"]] == [3]


def test_no_network_and_no_data_stops_with_one_line_and_exit_2(tmp_path):
    unreachable = "http://127.0.0.1:9"
    env = {**os.environ, "KERAS_HOME": str(tmp_path), "HTTP_PROXY": unreachable, "HTTPS_PROXY": unreachable,
           "http_proxy": unreachable, "https_proxy": unreachable, "NO_PROXY": "", "no_proxy": ""}
    result = subprocess.run([sys.executable, "train.py", "--out", str(tmp_path)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stderr
    assert "cannot download MNIST" in result.stderr and "--data" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_the_shipped_card_belongs_to_the_shipped_files():
    from recognition.model_files import DEFAULT_MODEL

    card = json.loads(DEFAULT_MODEL.with_suffix(".json").read_text())
    for suffix in ("keras", "tflite"):
        shipped = DEFAULT_MODEL.with_suffix(f".{suffix}")
        assert card["files"][suffix] == {"file": shipped.name, "sha256": sha256_of(shipped)}
    for extra in card["data"]["extra"]:
        assert sha256_of(ROOT / extra["path"]) == extra["sha256"], extra["path"]
    if card["init"]:
        assert sha256_of(ROOT / card["init"]["path"]) == card["init"]["sha256"]
    assert card["source"]["clean"] is True


def test_init_goes_on_from_a_trained_model(tmp_path, tiny_npz):
    common = ["--data", str(tiny_npz), "--arch", "linear", "--members", "2", "--extra", "none", "--quiet"]
    assert train.main([*common, "--epochs", "2", "--out", str(tmp_path / "first")]) == 0
    first = tmp_path / "first" / "digitpad-linear.keras"
    assert train.main([*common, "--epochs", "1", "--learning-rate", "0", "--init", str(first),
                       "--out", str(tmp_path / "again")]) == 0
    for a, b in zip(weights_of(first), weights_of(tmp_path / "again" / "digitpad-linear.keras")):
        np.testing.assert_array_equal(a, b)
    card = json.loads((tmp_path / "again" / "digitpad-linear.json").read_text())
    assert card["init"]["sha256"] == sha256_of(first) and "--members 2" in card["init"]["command"]


def test_a_missing_init_model_stops_with_exit_2(tmp_path, tiny_npz):
    assert train.main(["--data", str(tiny_npz), "--init", str(tmp_path / "nothing.keras"), "--extra", "none"]) == 2


class Cut(Exception):
    """Stands for the end of a process killed in the middle of training."""


def test_a_run_cut_short_goes_on_from_its_checkpoints(tmp_path, tiny_npz, monkeypatch, capsys):
    from training.callbacks import EpochLog

    options = ["--data", str(tiny_npz), "--arch", "linear", "--members", "2", "--epochs", "3", "--patience", "100000",
               "--extra", "none", "--out", str(tmp_path / "out"), "--checkpoints", str(tmp_path / "saved"), "--quiet"]
    logged = EpochLog.on_epoch_end
    epochs_run, cut_at = [], [("network-2", 1)]

    def logging_then_cut(callback, epoch, logs=None):
        logged(callback, epoch, logs)
        epochs_run.append((callback.path.parent.name, epoch))
        if epochs_run[-1] in cut_at:
            cut_at.clear()
            raise Cut

    monkeypatch.setattr(EpochLog, "on_epoch_end", logging_then_cut)
    with pytest.raises(Cut):
        train.main(options)
    assert epochs_run == [("network-1", 0), ("network-1", 1), ("network-1", 2), ("network-2", 0), ("network-2", 1)]
    epochs_run.clear()
    assert train.main(options) == 0
    assert "network 1: finished by an earlier run" in capsys.readouterr().out
    assert epochs_run == [("network-2", 1), ("network-2", 2)]
    card = json.loads((tmp_path / "out" / "digitpad-linear.json").read_text())
    assert [member["epochs_run"] for member in card["members"]] == [3, 3]
    assert train.main([*options[:options.index("--epochs") + 1], "4", *options[options.index("--epochs") + 2:]]) == 2
    assert "other options (epochs)" in capsys.readouterr().err


def test_a_resumed_network_ends_on_its_best_epoch_even_when_that_was_before_the_cut(tmp_path):
    import keras

    from training.callbacks import ResumableEarlyStopping

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])

    def epoch_with_weights(stopping, epoch, value, val_loss):
        model.set_weights([np.full((2, 1), value, np.float32), np.zeros(1, np.float32)])
        stopping.on_epoch_end(epoch, {"val_loss": val_loss})

    def stopping_from_a_new_process():
        stopping = ResumableEarlyStopping(tmp_path / "early-stopping", patience=100, restore_best_weights=True)
        stopping.set_model(model)
        stopping.on_train_begin()
        return stopping

    before_the_cut = stopping_from_a_new_process()
    epoch_with_weights(before_the_cut, 0, 1.0, val_loss=0.5)
    epoch_with_weights(before_the_cut, 1, 2.0, val_loss=0.9)
    after_the_cut = stopping_from_a_new_process()
    epoch_with_weights(after_the_cut, 2, 3.0, val_loss=0.7)
    after_the_cut.on_train_end()
    assert after_the_cut.best_epoch == 0 and after_the_cut.wait == 2
    np.testing.assert_array_equal(model.get_weights()[0], np.full((2, 1), 1.0, np.float32))


def test_an_epoch_log_line_cut_short_by_a_killed_process_is_left_out(tmp_path):
    from training.checkpoints import NetworkCheckpoint

    checkpoint = NetworkCheckpoint(tmp_path / "network-1")
    checkpoint.folder.mkdir()
    checkpoint.log.write_text('{"epoch": 0, "loss": 0.5}\n{"epoch": 1, "loss": 0.4}\n{"epoch": 1, "loss": 0.3}\n'
                              '{"epoch": 2, "lo')
    assert checkpoint.history() == {"loss": [0.5, 0.3]}
