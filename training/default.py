"""The default model: trained from the repository's labels on first use, then cached.

The cache file name carries a key made of the labels' content, the registry and the
library versions, so changing any of them builds a new model. Models live in
``models/`` at the repository root (or ``$STANCE_MODELS_DIR``), which git ignores.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import json
import os
import sys
from pathlib import Path

from classifier.persist import library_versions
from training.data import default_labels_dir

__all__ = ["RECIPE", "build_default_model", "default_model_path", "models_dir"]

# Bump to rebuild cached models for a reason the source files below do not show.
RECIPE = 1
# The modules that define the recipe: editing any of them rebuilds the default model.
_RECIPE_MODULES = ("classifier.features", "classifier.cues", "classifier.targets", "training.fit", "training.train")


def models_dir() -> Path:
    """Return the folder where default models are cached."""
    env = os.environ.get("STANCE_MODELS_DIR")
    return Path(env) if env else default_labels_dir().parent / "models"


def _labels_key(labels: Path) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps({"recipe": RECIPE, **library_versions()}, sort_keys=True).encode())
    for name in _RECIPE_MODULES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            digest.update(Path(spec.origin).read_bytes())
    files = sorted([*labels.glob("*.csv"), *labels.glob("test/*.csv"), labels / "targets.toml"])
    for path in files:
        digest.update(str(path.relative_to(labels)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def default_model_path() -> Path:
    """Return where the default model for the current labels and libraries is cached."""
    labels = default_labels_dir()
    if not (labels / "targets.toml").is_file():
        from classifier.errors import ModelError

        raise ModelError(
            f"no labels found at {labels} to build the default model; install stance from a "
            "clone of its repository with `pip install -e .`, or pass a model path"
        )
    return models_dir() / f"default-{_labels_key(labels)}.joblib"


def build_default_model(verbose: bool = True) -> Path:
    """Return the default model's path, training it first if it is not cached yet."""
    path = default_model_path()
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder at a time; others wait and reuse
        if path.is_file():
            return path
        from training.train import train_model

        def say(message: str) -> None:
            if verbose:
                print(f"stance: default model: {message}", file=sys.stderr, flush=True)

        say(f"training from {default_labels_dir()} (first use; cached in {path.parent})")
        train_model([default_labels_dir()], path, name="stance-default", progress=say)
        for old in path.parent.glob("default-*"):
            if not old.name.startswith(path.name.removesuffix(".joblib")):
                old.unlink(missing_ok=True)  # models of older labels or libraries
    return path
