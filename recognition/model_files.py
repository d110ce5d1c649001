"""Where the model files are: the shipped default, the models shown beside it, and each one's explanation."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODELS_FOLDER = PROJECT_ROOT / "models"
DEFAULT_MODEL = MODELS_FOLDER / "digitpad-cnn.tflite"
OTHER_MODELS = tuple(MODELS_FOLDER / f"digitpad-{name}.tflite" for name in ("cnn-single", "mlp", "linear"))
"""The models served beside the default unless told otherwise: one network of the default's kind, the dense
network and the linear model."""


def explanation_path(model_path):
    """Where the explanation of the model at ``model_path`` (its .keras or .tflite) lives."""
    model_path = Path(model_path)
    return model_path.with_name(f"{model_path.stem}-explain.tflite")
