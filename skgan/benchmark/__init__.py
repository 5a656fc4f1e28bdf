"""The benchmark protocol runner behind ``skgan benchmark``.

Repeated stratified k-fold over a suite of imbalanced datasets; every
sampler resamples only the training fold, inside an imbalanced-learn
pipeline whose scaling and one-hot encoding come after the sampler; five
default classifiers are scored on the untouched test fold. Every score is
cached as one JSON file per (dataset, repeat, fold, sampler, classifier),
so an interrupted run resumes and a long one can be split across
invocations that share ``out``.

The protocol lives in private modules: ``_suites`` (datasets, folds, default
settings), ``_samplers`` (sampler factories), ``_cells`` (one sampler on one
fold, scores, fidelity and the cache), ``_stats`` (ranks and the Friedman
test), ``_restore`` (the cache rebuilt from a finished run's CSV files) and
``_runner`` (the loop and its files). The names below are imported
from them on first use, so that ``skgan --help`` needs none of their
dependencies.
"""

import importlib

SUITES = ("keel", "mixed", "digits", "mnist")
SAMPLERS = ("none", "ros", "smote", "borderline", "adasyn", "ctgan", "gan")
CLASSIFIERS = ("lr", "svc", "knn", "dt", "hgb")

_LAZY = {
    "run_benchmark": "_runner",
    "restore_cache": "_restore",
    "rank_table": "_stats",
    "friedman_pvalues": "_stats",
    "paired_comparison": "_stats",
    "score_predictions": "_cells",
    "appended_fidelity": "_cells",
    "METRICS": "_cells",
    "FIDELITY": "_cells",
    "FACTORIES": "_samplers",
    "smote_neighbours": "_samplers",
    "categorical_columns": "_samplers",
    "ctgan_per_class": "_samplers",
}

__all__ = ["SUITES", "SAMPLERS", "CLASSIFIERS", *_LAZY]


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted({*globals(), *_LAZY})
