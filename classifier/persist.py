"""Saving and loading model bundles, and finding the default model.

A model file is a joblib bundle (a dict) holding the fitted pipelines and their metadata.
Its SHA-256 is written beside it (``MODEL.sha256``) and checked on load. Loading a joblib
file runs code from it: load only files you trust.
"""

from __future__ import annotations

import hashlib
import os
import platform
import sys
import tempfile
import warnings
from datetime import UTC, datetime
from importlib.metadata import entry_points
from pathlib import Path

import joblib
import numpy
import sklearn

from classifier.errors import ModelError
from classifier.model import StanceModel

__all__ = ["FORMAT", "FORMAT_VERSION", "library_versions", "load_model", "save_bundle", "sha256_of"]

FORMAT = "stance-model"
FORMAT_VERSION = 1
_RETRAIN = "retrain it with `stance train -o PATH` (or delete it to rebuild the default model)"


def library_versions() -> dict[str, str]:
    """Return the versions that a model file must match to be loaded."""
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "joblib": joblib.__version__,
    }


def sha256_of(path: str | Path) -> str:
    """Return the hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def save_bundle(bundle: dict, path: str | Path) -> str:
    """Write ``bundle`` to ``path`` atomically with its checksum; return the SHA-256.

    The file is written to a temporary name in the same folder and renamed into place,
    so a failed or interrupted save never replaces an existing model.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    bundle = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": library_versions(),
        "created_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        **bundle,
    }
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a model file is as readable as any other
    tmp_sum = tmp + ".sha256"
    try:
        joblib.dump(bundle, tmp, compress=3)
        digest = sha256_of(tmp)
        Path(tmp_sum).write_text(f"{digest}  {path.name}\n", encoding="utf-8")
        os.replace(tmp, path)
        os.replace(tmp_sum, _checksum_path(path))
    finally:
        for leftover in (tmp, tmp_sum):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return digest


def _read_checksum(path: Path) -> str:
    sidecar = _checksum_path(path)
    try:
        text = sidecar.read_text(encoding="utf-8").split()
    except FileNotFoundError:
        raise ModelError(f"{path}: checksum file {sidecar.name} is missing; {_RETRAIN}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"{sidecar}: cannot read the checksum ({exc}); {_RETRAIN}") from exc
    if not text or len(text[0]) != 64:
        raise ModelError(f"{sidecar}: not a SHA-256 checksum; {_RETRAIN}")
    return text[0].lower()


def load_bundle(path: str | Path) -> tuple[dict, str]:
    """Load and check a model file; return the bundle and its SHA-256."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"model file {path} not found; train one with `stance train -o {path}`")
    expected = _read_checksum(path)
    actual = sha256_of(path)
    if actual != expected:
        raise ModelError(f"{path}: checksum mismatch (file is corrupt, truncated or was changed); {_RETRAIN}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            bundle = joblib.load(path)
        except Exception as exc:  # unpickling can fail in many ways; all mean "unusable"
            raise ModelError(f"{path}: not a readable stance model ({exc.__class__.__name__}); {_RETRAIN}") from exc
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise ModelError(f"{path}: not a stance model file; {_RETRAIN}")
    if bundle.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"{path}: model format {bundle.get('format_version')} is not supported "
            f"(this stance reads format {FORMAT_VERSION}); {_RETRAIN}"
        )
    made_with = bundle.get("versions", {}).get("scikit-learn")
    mismatch = [w for w in caught if "InconsistentVersionWarning" in type(w.message).__name__]
    if made_with != sklearn.__version__ or mismatch:
        raise ModelError(
            f"{path}: made with scikit-learn {made_with}, but {sklearn.__version__} is installed; {_RETRAIN}"
        )
    return bundle, actual


def load_model(path: str | Path | None = None) -> StanceModel:
    """Load a model: ``path``, else ``$STANCE_MODEL``, else the default model.

    The default model is trained from the repository's ``labels/`` on first use and cached
    under ``models/``; it is rebuilt when the labels or the library versions change.
    """
    if path is None:
        path = os.environ.get("STANCE_MODEL") or None
    if path is None:
        path = _default_model_path()
    bundle, digest = load_bundle(path)
    return StanceModel(bundle, path=str(path), sha256=digest)


def _default_model_path() -> Path:
    """Ask the installed default-model builder (entry point ``stance.default_model``)."""
    builders = entry_points(group="stance.default_model")
    if not builders:
        raise ModelError(
            "no model given and no default-model builder is installed; "
            "pass a model path, set STANCE_MODEL, or install stance with `pip install -e .`"
        )
    builder = next(iter(builders)).load()
    return Path(builder())


def python_tag() -> str:
    """Return a short tag of the running interpreter (for cache keys)."""
    return f"py{sys.version_info.major}{sys.version_info.minor}"
