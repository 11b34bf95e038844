"""Training stance models: labelled data, fitting, cross-validation, evaluation, model cards."""
