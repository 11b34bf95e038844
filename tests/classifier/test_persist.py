"""Persistence: round trip, checksum, and refusal of unusable files."""

import shutil

import joblib
import pytest

from classifier import ModelError, load_model
from classifier.persist import load_bundle, save_bundle, sha256_of


def copy_model(src, dst_dir):
    dst = dst_dir / "m.joblib"
    shutil.copy(src, dst)
    shutil.copy(str(src) + ".sha256", str(dst) + ".sha256")
    return dst


def test_round_trip_gives_the_same_predictions(tiny_model, tiny_model_path):
    again = load_model(tiny_model_path)
    text = "Moscou a menacé l'Otan. Ankara a salué l'accord."
    assert again.analyze(text).to_dict() == tiny_model.analyze(text).to_dict()
    assert again.info.version == sha256_of(tiny_model_path)[:12]


def test_bundle_records_metadata(tiny_model):
    b = tiny_model.bundle
    for key in ("format", "format_version", "versions", "created_at", "registry", "labels", "data", "metrics"):
        assert key in b
    assert set(b["versions"]) >= {"python", "scikit-learn", "numpy"}


def test_missing_file(tmp_path):
    with pytest.raises(ModelError, match="not found; train one"):
        load_model(tmp_path / "absent.joblib")


def test_missing_checksum(tiny_model_path, tmp_path):
    path = copy_model(tiny_model_path, tmp_path)
    (tmp_path / "m.joblib.sha256").unlink()
    with pytest.raises(ModelError, match=r"checksum file .* is missing"):
        load_model(path)


def test_truncated_file(tiny_model_path, tmp_path):
    path = copy_model(tiny_model_path, tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="checksum mismatch"):
        load_model(path)


def test_corrupt_file_with_matching_checksum(tmp_path):
    path = tmp_path / "junk.joblib"
    path.write_bytes(b"this is not a pickle at all")
    (tmp_path / "junk.joblib.sha256").write_text(sha256_of(path))
    with pytest.raises(ModelError, match="not a readable stance model"):
        load_model(path)


def test_non_model_joblib_file(tmp_path):
    path = tmp_path / "other.joblib"
    joblib.dump({"hello": "world"}, path)
    (tmp_path / "other.joblib.sha256").write_text(sha256_of(path))
    with pytest.raises(ModelError, match="not a stance model file"):
        load_model(path)


def test_model_from_another_scikit_learn_version(tiny_model_path, tmp_path):
    bundle, _ = load_bundle(tiny_model_path)
    bundle["versions"] = {**bundle["versions"], "scikit-learn": "0.24.2"}
    path = tmp_path / "old.joblib"
    save_bundle({k: v for k, v in bundle.items() if k != "versions"}, path)
    # save_bundle stamps the running versions; rewrite the stamp to mimic an old file
    b = joblib.load(path)
    b["versions"]["scikit-learn"] = "0.24.2"
    joblib.dump(b, path)
    (tmp_path / "old.joblib.sha256").write_text(sha256_of(path))
    with pytest.raises(ModelError, match=r"made with scikit-learn 0\.24\.2.*retrain it"):
        load_model(path)


def test_failed_save_keeps_the_existing_model(tiny_model_path, tmp_path):
    path = copy_model(tiny_model_path, tmp_path)
    before = path.read_bytes()
    with pytest.raises(Exception):  # noqa: B017 - any failure while pickling
        save_bundle({"unpicklable": lambda: None}, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.joblib", "m.joblib.sha256"]
    load_model(path)


def test_environment_variable_selects_the_model(tiny_model_path, monkeypatch):
    monkeypatch.setenv("STANCE_MODEL", str(tiny_model_path))
    assert load_model().info.name == "tiny"
