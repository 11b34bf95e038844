"""Explanations: the n-grams that pushed a prediction toward each tone.

A feature's push toward a tone is its TF-IDF weight in the text times the model's
coefficient for that tone, centred over the tones (a multinomial logistic regression only
compares tones, so a weight common to all three pushes toward none).
"""

from __future__ import annotations

import numpy as np
from sklearn.pipeline import Pipeline

from classifier.features import display_feature

__all__ = ["Explainer"]


class Explainer:
    """Explain the predictions of one fitted pipeline (``features`` then ``clf``)."""

    def __init__(self, pipeline: Pipeline, top: int = 5) -> None:
        self.pipeline = pipeline
        self.top = top
        clf = pipeline.named_steps["clf"]
        coef = np.asarray(clf.coef_, dtype=np.float64)
        if coef.shape[0] == 1:  # binary problem: one row for the second class
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        self.classes = [str(c) for c in clf.classes_]
        self.coef = coef - coef.mean(axis=0, keepdims=True)
        self.names = []
        for block, transformer in pipeline.named_steps["features"].transformer_list:
            vectorizer = transformer[-1] if isinstance(transformer, Pipeline) else transformer
            self.names.extend(display_feature(f"{block}__{n}") for n in vectorizer.get_feature_names_out())

    def explain(self, texts: list[str]) -> list[dict]:
        """For each text, return ``{tone: [{"ngram", "block", "weight"}, ...]}``, strongest first."""
        if not texts:
            return []
        matrix = self.pipeline.named_steps["features"].transform(texts).tocsr()
        out = []
        for row in range(matrix.shape[0]):
            start, end = matrix.indptr[row], matrix.indptr[row + 1]
            cols = matrix.indices[start:end]
            vals = matrix.data[start:end]
            result = {}
            for k, tone in enumerate(self.classes):
                push = vals * self.coef[k, cols]
                order = np.argsort(-push)[: self.top]
                result[tone] = [
                    {
                        "ngram": self.names[cols[i]][1],
                        "block": self.names[cols[i]][0],
                        "weight": round(float(push[i]), 4),
                    }
                    for i in order
                    if push[i] > 0
                ]
            out.append(result)
        return out
