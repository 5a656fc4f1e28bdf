"""
=======================================
Reading the benchmark's mean-rank table
=======================================

``skgan benchmark`` writes, next to the scores of every fold, a table of mean
ranks: for each classifier and metric, each sampler is ranked within every
dataset by its mean score over the folds (1 = best, ties share the average
rank), and these ranks are averaged over the datasets, as in Douzas & Bacao
(2018). This example reads the KEEL table committed with the sources
(``benchmarks/results/keel_ranks.csv``), plots it, and shows how to tell a
real difference from noise.
"""

# %%
# The committed table
# -------------------
# One row per (classifier, metric), one column per sampler. The path is
# relative to this example's folder, where the gallery runs it.
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import studentized_range

results = Path("..", "..", "benchmarks", "results")
ranks = pd.read_csv(results / "keel_ranks.csv", index_col=["classifier", "metric"])
n_datasets = (
    pd.read_csv(results / "keel_summary.csv", header=[0, 1], index_col=[0, 1, 2])
    .index.get_level_values(0)
    .nunique()
)
print(f"{n_datasets} datasets, {ranks.shape[1]} samplers")
print(ranks)

# %%
# Mean rank per metric
# --------------------
# Averaging over the five classifiers gives one mean rank per sampler and
# metric; lower is better. With k samplers the ranks run from 1 to k, so a
# sampler that is as often better as worse than the others sits at
# (k + 1) / 2, the dotted line.
by_metric = ranks.groupby(level="metric").mean().T
by_metric = by_metric.loc[by_metric.mean(axis=1).sort_values().index]
ax = by_metric.plot.barh(figsize=(7, 5))
ax.axvline((ranks.shape[1] + 1) / 2, color="grey", linestyle=":")
ax.invert_yaxis()
ax.set_xlabel("mean rank over datasets and classifiers (1 = best)")
plt.tight_layout()
plt.show()
print(by_metric.round(2))

# %%
# Is a gap in mean rank real?
# ---------------------------
# Mean ranks of N datasets carry noise. The Nemenyi test (Demšar, 2006) takes
# two samplers to differ, at the 5 % level, only when their mean ranks for one
# classifier and metric are more than the critical difference
# CD = q * sqrt(k (k + 1) / (6 N)) apart, where q is the studentized range
# quantile for k samplers divided by sqrt(2) (2.850 for six). Gaps smaller than
# that are ties as far as these datasets can tell.
k = ranks.shape[1]
q = studentized_range.ppf(0.95, k, np.inf) / np.sqrt(2)
cd = q * np.sqrt(k * (k + 1) / (6 * n_datasets))
print(f"critical difference for {k} samplers on {n_datasets} datasets: {cd:.2f}")

# %%
# Counting, for each sampler, the (classifier, metric) rows where it is within
# one critical difference of that row's best sampler says which samplers the
# data cannot tell apart from the best, and which are clearly behind.
within = ranks.le(ranks.min(axis=1) + cd, axis=0).sum()
print(f"rows (of {len(ranks)}) within {cd:.2f} of the best mean rank:")
print(within.sort_values(ascending=False).to_string())
