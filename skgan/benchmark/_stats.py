"""Ranks of the samplers across datasets, the Friedman test and paired
comparisons of one sampler with the others."""

import numpy as np
import pandas as pd

from ._cells import METRICS


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


def paired_comparison(means, sampler="gan", metrics=METRICS):
    """Compare one sampler with each other sampler, paired over datasets.

    For each classifier, a dataset's score is the mean of the ``metrics``;
    the Wilcoxon signed-rank test asks whether ``sampler``'s scores differ
    from another sampler's on the same datasets, and Holm's method adjusts
    its p-values for the number of other samplers compared per classifier.
    Datasets where either sampler has no score are left out of that pair.

    Parameters
    ----------
    means : DataFrame
        As for :func:`rank_table`.
    sampler : str, default="gan"
        The sampler compared with every other one.
    metrics : sequence of str, default=METRICS
        Metric columns averaged into a dataset's score.

    Returns
    -------
    table : DataFrame
        Index (classifier, other sampler); columns ``difference`` (mean over
        datasets of ``sampler``'s score minus the other's), ``wins`` and
        ``losses`` (datasets where it scores higher or lower), ``datasets``,
        ``wilcoxon_p`` (two-sided; 1 where every difference is 0, NaN with
        fewer than 2 datasets) and ``holm_p``.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgan.benchmark import paired_comparison
    >>> means = pd.DataFrame({"dataset": list("aabbccdd"), "classifier": "lr",
    ...                       "sampler": ["gan", "smote"] * 4,
    ...                       "f1": [0.9, 0.8, 0.7, 0.6, 0.8, 0.7, 0.6, 0.4]})
    >>> row = paired_comparison(means, metrics=["f1"]).loc[("lr", "smote")]
    >>> int(row["wins"]), round(float(row["wilcoxon_p"]), 3)
    (4, 0.125)
    """
    from scipy.stats import wilcoxon

    score = means.assign(score=means[list(metrics)].mean(axis=1, skipna=False))
    wide = score.pivot_table(
        index=["classifier", "dataset"],
        columns="sampler",
        values="score",
        sort=False,
        dropna=False,
    )
    rows = {}
    for classifier, group in wide.groupby(level="classifier", sort=False):
        for other in group.columns.drop(sampler):
            diff = (group[sampler] - group[other]).dropna().to_numpy()
            if len(diff) < 2:
                p = np.nan
            elif not diff.any():
                p = 1.0
            else:
                p = wilcoxon(diff).pvalue
            rows[classifier, other] = {
                "difference": diff.mean() if len(diff) else np.nan,
                "wins": int((diff > 0).sum()),
                "losses": int((diff < 0).sum()),
                "datasets": len(diff),
                "wilcoxon_p": p,
            }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.names = ["classifier", "sampler"]
    table["holm_p"] = table.groupby(level="classifier", sort=False)[
        "wilcoxon_p"
    ].transform(_holm)
    return table


def _holm(pvalues):
    """Holm's step-down adjustment of a Series of p-values (NaN kept)."""
    valid = pvalues.dropna().sort_values()
    steps = (len(valid) - np.arange(len(valid))) * valid.to_numpy()
    adjusted = pd.Series(np.minimum(np.maximum.accumulate(steps), 1.0), valid.index)
    return adjusted.reindex(pvalues.index)
