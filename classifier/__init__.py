"""stance: tone toward targets (NATO, Russia, Turkey...) in French and English news.

>>> from classifier import load_model          # doctest: +SKIP
>>> model = load_model()                       # doctest: +SKIP
>>> model.analyze("Ankara a salué l'accord.").to_dict()["summary"]  # doctest: +SKIP
"""

from classifier.errors import InputError, ModelError, RegistryError, StanceError
from classifier.model import StanceModel
from classifier.persist import load_model
from classifier.results import Analysis, SentenceResult, TargetResult, Tone
from classifier.sentences import Span, split_sentences

__all__ = [
    "Analysis",
    "InputError",
    "ModelError",
    "RegistryError",
    "SentenceResult",
    "Span",
    "StanceError",
    "StanceModel",
    "TargetResult",
    "Tone",
    "load_model",
    "split_sentences",
]
