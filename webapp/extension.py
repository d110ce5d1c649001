"""State the app factory creates for one app (its models, its database, its rooms' news), read back typed.

Each piece is declared once, where it is made, as an :class:`Extension`; views
reach it through that declaration instead of a string key into ``app.extensions``.
"""

from typing import Generic, TypeVar

from flask import current_app

T = TypeVar("T")


class Extension(Generic[T]):
    """One piece of an app's state, kept in ``app.extensions`` under its own name."""

    def __init__(self, name):
        self.name = f"digitpad.{name}"

    def init(self, app, value: T) -> T:
        app.extensions[self.name] = value
        return value

    def get(self, app=None) -> T:
        """This piece of ``app`` (default: the app handling the current request or command)."""
        return (app or current_app).extensions[self.name]
