"""Reading whole numbers: ``/api/read`` (``routes.py``) and its answer (``answers.py``)."""
