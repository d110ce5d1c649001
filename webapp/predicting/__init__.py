"""Reading the digit in a picture over HTTP: /api/predict and its options, the served models, their cards and health."""
