"""The top floor: every way a user reaches stance (HTTP API, command line, reports).

>>> from api import create_app                  # doctest: +SKIP
>>> app = create_app({"MODEL": "models/tiny.joblib"})  # doctest: +SKIP
"""

from api.app import create_app

__all__ = ["create_app"]
