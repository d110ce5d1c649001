"""The answer for one 28×28 model input, given by the prediction API, stored by the lab and sent to rooms."""

from recognition.pictures import data_url, input_png
from recognition.reading import reading
from webapp.predicting.served import default_model, served_by_classifier


def prediction(image, png=None, model=None):
    """(answer, features) for one 28×28 model input: the answer is the digit, confidence, probabilities,
    whether the drawing is not a digit at all, the input as a PNG data URL and the model's name; the features
    (None when the model file has none) are what writer adaptation compares.

    ``png`` is the input already encoded by :func:`input_png`, when the caller has it;
    ``model`` the classifier to answer with, when not the default one.
    """
    model = model or default_model().classifier
    probabilities, features = model.outputs(image)
    answer = {**reading(probabilities), "not_a_digit": not_a_digit(model, image, probabilities, features),
              "input": data_url(png or input_png(image)), "model": model.name, "adapted": False}
    return answer, features


def not_a_digit(classifier, image, probabilities=None, features=None):
    """Whether the 28×28 input is not a digit at all, by the detector fitted to ``classifier``'s model file;
    False when that model has no detector or gives no features. The model is run when ``probabilities`` (and
    so ``features``) are not given."""
    served = served_by_classifier(classifier)
    detector = None if served is None else served.detector
    if detector is None:
        return False
    if probabilities is None:
        probabilities, features = classifier.outputs(image)
    return features is not None and detector.is_not_a_digit(image, probabilities, features)
