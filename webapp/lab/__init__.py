"""The handwriting lab: labelled drawings saved, listed, deleted and exported as training data."""
