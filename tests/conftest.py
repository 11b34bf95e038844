"""Shared fixtures: a tiny model trained once per session on a handful of sentences."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier import load_model
from training.train import train_model

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent
SAMPLE_ARTICLE = REPO.parent / "shared" / "sample-article-fr.txt"


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory) -> Path:
    """A model file trained on tests/data/tiny.csv (no cross-validation, no test split)."""
    path = tmp_path_factory.mktemp("model") / "tiny.joblib"
    train_model([DATA / "tiny.csv"], path, registry_path=REPO / "labels" / "targets.toml", folds=0, name="tiny")
    return path


@pytest.fixture(scope="session")
def tiny_model(tiny_model_path):
    """The tiny model, loaded."""
    return load_model(tiny_model_path)


@pytest.fixture(scope="session")
def sample_article() -> str:
    """The real French article from shared/ (12 sentences, 5 of them repeats)."""
    if not SAMPLE_ARTICLE.is_file():
        pytest.skip(f"{SAMPLE_ARTICLE} not found")
    return SAMPLE_ARTICLE.read_text(encoding="utf-8")
