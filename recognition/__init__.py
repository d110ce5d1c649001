"""Reading handwritten digits, without the web: the pad's geometry, strokes and a hand's variation, the
preprocessing that makes MNIST-style inputs, the classifier runtime (LiteRT or Keras), the explanation and
the arithmetic of adapting to one writer.

The web app (``webapp``), training (``train.py``, ``training``), the benchmarks and the tests all use it;
nothing here imports Flask or the web app.
"""
