"""Cells of the benchmark and their cache.

A cell is one sampler on one training fold: the sampler resamples once, each
classifier is fitted behind it and scored on the test fold, and the synthetic
rows are compared with the real ones. Every score is cached as one JSON file
per (dataset, repeat, fold, sampler, classifier).
"""

import json
import os
import re
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from imblearn import FunctionSampler
from imblearn.metrics import geometric_mean_score
from imblearn.pipeline import Pipeline
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score, roc_auc_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from .. import metrics
from ._samplers import categorical_columns

METRICS = ("f1", "gmean", "auc", "balanced_accuracy")
FIDELITY = (
    "c2st_auc",
    "holdout_c2st_auc",
    "column_distance",
    "correlation_distance",
    "dcr_ratio",
    "exact_copy_rate",
)
# Scores added after fidelity cells were first cached: a cached record without
# one is still valid and reads as that score unmeasured (NaN).
LATER_FIDELITY = ("holdout_c2st_auc",)


@dataclass(frozen=True)
class CellPaths:
    """Cache files of one (fold, sampler): per classifier, and for fidelity."""

    scores: dict
    fidelity: Path | None


def _classifier(name, seed):
    return {
        "lr": lambda: LogisticRegression(),
        "svc": lambda: SVC(),
        "knn": lambda: KNeighborsClassifier(),
        "dt": lambda: DecisionTreeClassifier(random_state=seed),
        "hgb": lambda: HistGradientBoostingClassifier(random_state=seed),
    }[name]()


def fit_resample(sampler, X, y):
    """Resampled training fold and the sampler's wall-clock fit time in seconds."""
    if sampler is None:
        return X, y, 0.0
    start = time.perf_counter()
    X_res, y_res = sampler.fit_resample(X, y)
    return X_res, y_res, time.perf_counter() - start


def _replay(X, y, X_res, y_res):
    return X_res, y_res


def _model(resampled, X, classifier):
    """Pipeline: sampler (replaying the timed resampling), preprocessing, classifier.

    The sampler step hands back the resampled training fold computed once
    per (fold, sampler), so a GAN trains once per fold rather than once per
    classifier, while the pipeline still resamples in ``fit`` only.
    """
    categorical = categorical_columns(X)
    numeric = [column for column in X.columns if column not in categorical]
    numeric_steps = (
        [("impute", SimpleImputer(strategy="median"))]
        if X[numeric].isna().any().any()
        else []
    )
    preprocess = ColumnTransformer(
        [
            (
                "numeric",
                Pipeline([*numeric_steps, ("scale", StandardScaler())]),
                numeric,
            ),
            # Dense, because HistGradientBoostingClassifier rejects sparse input.
            (
                "categorical",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                categorical,
            ),
        ]
    )
    replay = FunctionSampler(
        func=_replay,
        validate=False,
        kw_args={"X_res": resampled[0], "y_res": resampled[1]},
    )
    return Pipeline(
        [("sampler", replay), ("preprocess", preprocess), ("classifier", classifier)]
    )


def score_predictions(y_true, y_pred, y_score, classes, minority):
    """Protocol metrics of one fitted model on one test set.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    y_score : ndarray of shape (n_samples,) or (n_samples, n_classes)
        Probabilities or decision values; a 1-D score ranks ``classes[1]``.
    classes : sequence
        The classifier's classes, in the order of ``y_score``'s columns.
    minority : label
        The minority class, the positive class of F1 for binary problems.

    Returns
    -------
    scores : dict
        ``f1`` (minority F1 when binary, macro F1 otherwise), ``gmean``
        (geometric mean of per-class recalls), ``auc`` (macro one-vs-rest
        ROC-AUC) and ``balanced_accuracy``.

    Examples
    --------
    >>> from skgan.benchmark import score_predictions
    >>> scores = score_predictions([0, 0, 1, 1], [0, 1, 1, 1], [0.1, 0.6, 0.7, 0.9],
    ...                            classes=[0, 1], minority=1)
    >>> scores["auc"], scores["balanced_accuracy"]
    (1.0, 0.75)
    """
    y_true, y_score = np.asarray(y_true), np.asarray(y_score, dtype=float)
    if len(classes) == 2:
        # AUC is symmetric in the classes, so the score for classes[1] serves.
        column = y_score[:, 1] if y_score.ndim == 2 else y_score
        auc = roc_auc_score(y_true == classes[1], column)
        f1 = f1_score(y_true, y_pred, pos_label=minority, average="binary")
    else:
        # Macro one-vs-rest by hand: decision values need not sum to one,
        # which roc_auc_score's multiclass mode insists on.
        auc = np.mean(
            [
                roc_auc_score(y_true == label, y_score[:, i])
                for i, label in enumerate(classes)
                if 0 < np.sum(y_true == label) < len(y_true)
            ]
        )
        f1 = f1_score(y_true, y_pred, average="macro")
    return {
        "f1": float(f1),
        "gmean": float(geometric_mean_score(y_true, y_pred)),
        "auc": float(auc),
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred)),
    }


def _score(model, X, y, minority):
    # SVC without probability=True offers decision values only, which is
    # all a ranking metric needs.
    score = (
        model.predict_proba(X)
        if hasattr(model, "predict_proba")
        else model.decision_function(X)
    )
    return score_predictions(y, model.predict(X), score, list(model.classes_), minority)


def appended_fidelity(X, y, X_res, y_res, *, holdout=None, random_state=0):
    """Fidelity of the synthetic rows of each resampled class to its real rows.

    Samplers append synthetic rows after the original ones, so the rows past
    ``len(X)`` are the synthetic ones. Every score compares them with the
    class's rows of ``X``, except ``holdout_c2st_auc``, which compares them
    with the class's rows of ``holdout`` (the test fold), which the sampler
    never saw.

    Parameters
    ----------
    X : DataFrame of shape (n_samples, n_features)
        The rows the sampler resampled.
    y : Series of shape (n_samples,)
        Their labels.
    X_res : array-like of shape (n_samples_new, n_features)
        The sampler's output: ``X``, then the synthetic rows.
    y_res : array-like of shape (n_samples_new,)
        Labels of ``X_res``.
    holdout : tuple of (DataFrame, Series) or None, default=None
        Real rows and labels the sampler did not see; None leaves
        ``holdout_c2st_auc`` NaN.
    random_state : int, default=0
        Seed of the C2ST folds and classifier.

    Returns
    -------
    records : list of dict
        One per class with synthetic rows, in order of appearance: ``class``
        (as text), ``n_synthetic`` and the scores of ``FIDELITY`` from
        :mod:`skgan.metrics` (C2ST with at most 5 folds, NaN where a class
        has a single real, held-out or synthetic row).

    Examples
    --------
    >>> import pandas as pd
    >>> from skgan.benchmark import appended_fidelity
    >>> X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0, 4.0]})
    >>> y = pd.Series([0, 0, 0, 1, 1])
    >>> X_res = pd.concat([X, X.iloc[[3]]], ignore_index=True)
    >>> record, = appended_fidelity(X, y, X_res, [*y, 1])
    >>> record["class"], record["n_synthetic"], record["exact_copy_rate"]
    ('1', 1, 1.0)
    """
    X_new = pd.DataFrame(X_res, columns=X.columns).iloc[len(X) :]
    y_new = np.asarray(y_res)[len(y) :]
    held = (
        {}
        if holdout is None or len(y_new) == 0
        else metrics.holdout_c2st_auc(*holdout, X_new, y_new, random_state=random_state)
    )
    records = []
    for label in pd.unique(y_new):
        real, fake = X[np.asarray(y == label)], X_new[y_new == label]
        n_splits = min(5, len(real), len(fake))
        c2st = metrics.c2st_auc(
            real, fake, n_splits=n_splits, random_state=random_state
        )
        records.append(
            {
                "class": str(label),
                "n_synthetic": len(fake),
                "c2st_auc": c2st if n_splits >= 2 else np.nan,
                "holdout_c2st_auc": held.get(label, np.nan),
                "column_distance": float(metrics.column_distances(real, fake).mean()),
                "correlation_distance": metrics.correlation_distance(real, fake),
                "dcr_ratio": metrics.dcr_ratio(real, fake) if len(real) > 1 else np.nan,
                "exact_copy_rate": metrics.exact_copy_rate(real, fake),
            }
        )
    return records


def _slug(text):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text))


def _write_json(path, record):
    # Written aside and renamed, so an interrupted run never leaves a
    # truncated file that a resumed run would trust.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(record))
    os.replace(partial, path)


def _failure(exc):
    return {
        **dict.fromkeys(METRICS, np.nan),
        "fit_time": np.nan,
        "error": f"{type(exc).__name__}: {exc}",
    }


def _write_fidelity(path, fold, X_res, y_res):
    try:
        records = appended_fidelity(
            fold.X_train,
            fold.y_train,
            X_res,
            y_res,
            holdout=(fold.X_test, fold.y_test),
        )
    except Exception as exc:
        records = [{**dict.fromkeys(FIDELITY, np.nan), "error": repr(exc)}]
    _write_json(path, records)


def run_cell(paths, factory, fold, seed, image_shape):
    """Fit one sampler on one training fold; score what is not cached yet.

    That is every classifier without a cached score and, unless cached or
    there is no sampler, the fidelity of the synthetic rows.
    """
    todo = {c: path for c, path in paths.scores.items() if not path.exists()}
    fidelity_todo = paths.fidelity is not None and not paths.fidelity.exists()
    if not todo and not fidelity_todo:
        return
    minority = fold.y_train.value_counts().idxmin()
    with warnings.catch_warnings():
        # Convergence and similar warnings would drown the progress bar; the
        # scores say what matters.
        warnings.simplefilter("ignore")
        try:
            sampler = factory(
                fold.X_train, fold.y_train, seed=seed, image_shape=image_shape
            )
            X_res, y_res, fit_time = fit_resample(sampler, fold.X_train, fold.y_train)
        except Exception as exc:  # a failing sampler is a result, not a crash
            for path in todo.values():
                _write_json(path, _failure(exc))
            return
        if fidelity_todo:
            _write_fidelity(paths.fidelity, fold, X_res, y_res)
        for classifier, path in todo.items():
            try:
                model = _model(
                    (X_res, y_res), fold.X_train, _classifier(classifier, seed)
                )
                model.fit(fold.X_train, fold.y_train)
                record = {
                    **_score(model, fold.X_test, fold.y_test, minority),
                    "error": None,
                }
            except Exception as exc:
                record = _failure(exc)
            _write_json(path, {**record, "fit_time": fit_time})


def fold_folder(out, dataset, seed, n_splits, repeat, fold):
    """Cache folder of one fold of one dataset."""
    return (
        Path(out)
        / "cache"
        / _slug(dataset)
        / f"k{n_splits}-seed{seed}"
        / f"r{repeat}-f{fold}"
    )


def cell_paths(folder, sampler, classifiers, fidelity=True):
    """:class:`CellPaths` of the sampler cached as ``sampler`` in ``folder``.

    Without ``fidelity``, or for no sampler, there is no fidelity file.
    """
    scores = {c: folder / f"{sampler}__{c}.json" for c in classifiers}
    scored = fidelity and sampler != "none"
    fidelity = folder / f"{sampler}__fidelity.json" if scored else None
    return CellPaths(scores, fidelity)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _score_flaw(content):
    if not isinstance(content, dict):
        return f"a {type(content).__name__}, not a score record"
    missing = [key for key in (*METRICS, "fit_time", "error") if key not in content]
    if missing:
        return f"no {', '.join(missing)}"
    if not all(_is_number(content[key]) for key in (*METRICS, "fit_time")):
        return "a score that is not a number"
    if not isinstance(content["error"], str | None):
        return "an error that is not text"
    return None


def _fidelity_flaw(content):
    if not isinstance(content, list):
        return f"a {type(content).__name__}, not a list of per-class records"
    for record in content:
        if not isinstance(record, dict) or not all(
            _is_number(record.get(key, np.nan if key in LATER_FIDELITY else None))
            for key in FIDELITY
        ):
            return "a per-class record without its fidelity numbers"
    return None


def _flaw(path, check):
    try:
        return check(json.loads(path.read_text()))
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        return f"unreadable: {exc}"


def discard_corrupt(paths):
    """Delete the cached files of ``paths`` that cannot be trusted as results.

    A file another program truncated or edited, or one left by an older
    layout, must be recomputed rather than read as a score.

    Returns
    -------
    corrupt : list of (Path, str)
        The deleted files and what was wrong with each.
    """
    checks = [(path, _score_flaw) for path in paths.scores.values()]
    checks += [(paths.fidelity, _fidelity_flaw)] if paths.fidelity else []
    corrupt = []
    for path, check in checks:
        flaw = _flaw(path, check) if path.exists() else None
        if flaw:
            path.unlink()
            corrupt.append((path, flaw))
    return corrupt


def collect(records):
    """One row per cached record; a fidelity file holds one record per class."""
    rows = []
    for keys, path in records:
        if path.exists():
            content = json.loads(path.read_text())
            for record in content if isinstance(content, list) else [content]:
                rows.append({**keys, **record})
    return pd.DataFrame(rows)
