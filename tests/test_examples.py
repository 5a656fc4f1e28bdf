"""The gallery examples that read files or check claims run as the gallery runs them."""

import runpy
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

EXAMPLES = Path(__file__).parents[1] / "docs" / "examples"

pytestmark = pytest.mark.usefixtures("one_blas_thread")


def _run(name, monkeypatch):
    """Globals of an example run from its folder, where sphinx-gallery runs it."""
    monkeypatch.chdir(EXAMPLES)
    try:
        return runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    finally:
        plt.close("all")  # other tests count the open figures


def test_mixed_missing_keeps_dtypes_categories_and_missing_columns(monkeypatch):
    env = _run("plot_mixed_missing.py", monkeypatch)
    X, synthetic = env["X"], env["synthetic"]
    assert len(synthetic) == 140
    pd.testing.assert_series_equal(synthetic.dtypes, X.dtypes)
    assert synthetic["home"].cat.categories.equals(X["home"].cat.categories)
    assert set(synthetic["job"]) <= set(X["job"])
    missing = synthetic.isna().mean()
    assert set(missing[missing > 0].index) == {"income", "home"}
    assert synthetic["age"].between(X["age"].min(), X["age"].max()).all()


def test_benchmark_tables_reads_the_committed_ranks(monkeypatch):
    env = _run("plot_benchmark_tables.py", monkeypatch)
    ranks, within = env["ranks"], env["within"]
    k = ranks.shape[1]
    assert k >= 2 and env["n_datasets"] >= 2
    assert ranks.to_numpy().min() >= 1 and ranks.to_numpy().max() <= k
    # Each row's best sampler is within any distance of itself.
    assert env["cd"] > 0 and within.sum() >= len(ranks)
    by_metric = env["by_metric"]
    assert set(by_metric.index) == set(ranks.columns)
    assert by_metric.mean(axis=1).is_monotonic_increasing
