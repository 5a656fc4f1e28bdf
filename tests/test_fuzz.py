"""GANOversampler's output contract on random small tables and parameters."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imblearn.utils import check_sampling_strategy

from skgan import GANOversampler

pytestmark = pytest.mark.usefixtures("one_blas_thread")

TINY = {"epochs": 1, "batch_size": 16, "hidden_dims": (8,), "latent_dim": 4}
KINDS = ("float", "int", "bool", "category", "object", "Int64", "boolean")
# The kinds whose dtype can hold a missing value.
NULLABLE = {"float", "category", "object", "Int64", "boolean"}


def _column(kind, n, rng):
    if kind == "float":
        return pd.Series(rng.normal(size=n) * 10.0 ** rng.integers(-2, 4))
    if kind == "int":
        return pd.Series(rng.integers(-5, 50, n))
    if kind == "bool":
        return pd.Series(rng.random(n) < 0.4)
    if kind == "category":
        return pd.Series(pd.Categorical(rng.choice(["lo", "mid", "hi"], n)))
    if kind == "object":
        return pd.Series(rng.choice(["a", "b", "c", "d"], n), dtype=object)
    if kind == "Int64":
        return pd.Series(rng.integers(0, 9, n), dtype="Int64")
    return pd.Series(rng.random(n) < 0.5, dtype="boolean")


@st.composite
def tables(draw):
    """A small table of mixed columns, some with missing values, and its labels."""
    counts = draw(st.lists(st.integers(1, 25), min_size=2, max_size=5))
    if draw(st.booleans()):
        counts[-1] = 1  # a class of a single row
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=5))
    missing = [draw(st.booleans()) and kind in NULLABLE for kind in kinds]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = sum(counts)
    X = pd.DataFrame(
        {f"{kind}_{i}": _column(kind, n, rng) for i, kind in enumerate(kinds)}
    )
    for column, has_missing in zip(X.columns, missing, strict=True):
        if has_missing:
            X.loc[rng.random(n) < 0.25, column] = None
    labels = draw(st.sampled_from([list(range(5)), ["x", "y", "z", "v", "w"]]))
    y = pd.Series(np.repeat(labels[: len(counts)], counts), name="label")
    order = rng.permutation(n)
    return X.iloc[order].reset_index(drop=True), y.iloc[order].reset_index(drop=True)


@st.composite
def strategies(draw, y):
    """A valid sampling_strategy for the labels ``y``."""
    choice = draw(st.sampled_from(["auto", "all", "not majority", "dict"]))
    if choice != "dict":
        return choice
    counts = y.value_counts()
    grown = draw(st.lists(st.sampled_from(list(counts.index)), min_size=1, unique=True))
    return {
        label: int(counts[label]) + draw(st.integers(0, 20))
        for label in grown
        if label != counts.idxmax()
    } or {counts.idxmin(): int(counts.min()) + 1}


def _check_contract(X, y, X_res, y_res, strategy):
    n_new = check_sampling_strategy(strategy, y, "over-sampling")
    counts = y.value_counts()
    expected = counts + pd.Series(n_new, dtype=int).reindex(counts.index, fill_value=0)
    assert y_res.value_counts().sort_index().equals(expected.sort_index())
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X)
    pd.testing.assert_series_equal(y_res.iloc[: len(y)], y)
    pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)
    synthetic = X_res.iloc[len(X) :]
    for column in X.columns:
        real, fake = X[column], synthetic[column]
        if not real.isna().any():
            assert not fake.isna().any(), f"{column}: invented missing values"
        seen = set(real.dropna())
        if isinstance(real.dtype, pd.CategoricalDtype):
            assert fake.cat.categories.equals(real.cat.categories), column
            assert set(fake.dropna()) <= seen, column
        elif real.dtype == object or pd.api.types.is_bool_dtype(real.dtype):
            assert set(fake.dropna()) <= seen, column
        else:
            assert fake.dropna().between(real.min(), real.max()).all(), column


@settings(
    max_examples=800,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_contract_on_random_tables_and_parameters(data):
    X, y = data.draw(tables())
    params = {
        "sampling_strategy": data.draw(strategies(y)),
        "mode": data.draw(st.sampled_from(["conditional", "per_class"])),
        "numeric_encoding": data.draw(st.sampled_from(["quantile", "mode"])),
        "anchor": data.draw(st.sampled_from(["auto", None])),
        "loss": data.draw(st.sampled_from(["wgan-gp", "hinge", "minimax"])),
        "epochs": data.draw(st.sampled_from([1, 2])),
    }
    sampler = GANOversampler(**(TINY | params), random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    _check_contract(X, y, X_res, y_res, params["sampling_strategy"])
    again = GANOversampler(**(TINY | params), random_state=0).fit_resample(X, y)
    pd.testing.assert_frame_equal(again[0], X_res)
    pd.testing.assert_series_equal(again[1], y_res)
