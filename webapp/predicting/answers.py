"""The answer for one 28×28 model input, given by the prediction API, stored by the lab and sent to rooms."""

from recognition.pictures import data_url, input_png
from recognition.reading import reading
from webapp.predicting.served import default_model


def prediction(image, png=None, model=None):
    """(answer, features) for one 28×28 model input: the answer is the digit, confidence, probabilities,
    the input as a PNG data URL and the model's name; the features (None when the model file has none)
    are what writer adaptation compares.

    ``png`` is the input already encoded by :func:`input_png`, when the caller has it;
    ``model`` the classifier to answer with, when not the default one.
    """
    model = model or default_model().classifier
    probabilities, features = model.outputs(image)
    answer = {**reading(probabilities), "input": data_url(png or input_png(image)), "model": model.name,
              "adapted": False}
    return answer, features
