"""The pieces ``train.py`` puts together: data, architectures, augmentation and the model card."""
