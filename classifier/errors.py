"""Exceptions raised by stance: every message says what went wrong and what to do next."""

from __future__ import annotations


class StanceError(Exception):
    """Base class of every error stance raises on purpose."""


class InputError(StanceError, ValueError):
    """The input given to the model is not usable (wrong type, empty, too long)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class RegistryError(StanceError):
    """The targets registry is missing or malformed."""


class ModelError(StanceError):
    """A model file is missing, corrupt, incompatible or otherwise unusable."""
