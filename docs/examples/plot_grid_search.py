"""
==============================================
Tuning a classifier without retraining the GAN
==============================================

A grid search over a pipeline refits every step for every candidate, so a
search over the classifier's ``C`` alone would train the GAN once per
candidate and fold, on the same training rows each time. A pipeline with a
``memory`` cache trains it once per fold instead: the resampled training rows
of a fold are stored and reused by the other candidates. This example times a
search over ``C`` with and without the cache on scikit-learn's breast-cancer
table made imbalanced, and counts the GAN fits the cache holds.
"""

# %%
# An imbalanced table
# -------------------
# Keep 40 malignant tumours against the 357 benign ones.
import tempfile
import time
from pathlib import Path

import matplotlib.pyplot as plt
from imblearn.pipeline import Pipeline
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import StandardScaler

from skgan import GANOversampler

X, y = load_breast_cancer(return_X_y=True)
keep = (y == 1) | ((y == 0).cumsum() <= 40)
X, y = X[keep], y[keep]
print(f"{(y == 0).sum()} malignant, {(y == 1).sum()} benign")

# %%
# The same search, with and without a cache
# -----------------------------------------
# The sampler needs a fixed ``random_state``: the cache reuses a fold's
# resampling only for identical parameters, and with a seed the reused rows are
# exactly what a new fit would give. A short training keeps this example fast;
# the default ``epochs="auto"`` trains longer.
grid = {"clf__C": [0.01, 0.1, 1.0, 10.0]}
cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)


def search(memory):
    model = Pipeline(
        [
            ("gan", GANOversampler(epochs=20, random_state=0)),
            ("scale", StandardScaler()),
            ("clf", LogisticRegression(max_iter=1000)),
        ],
        memory=memory,
    )
    start = time.perf_counter()
    fitted = GridSearchCV(model, grid, cv=cv, scoring="balanced_accuracy").fit(X, y)
    return fitted, time.perf_counter() - start


plain, plain_time = search(memory=None)
cache = Path(tempfile.mkdtemp())
cached, cached_time = search(memory=str(cache))

# %%
# joblib stores one folder per cached call: one per fold, and one for the
# final refit on all rows, against one GAN fit per candidate and fold without
# the cache.
gan_fits = len([p for p in cache.rglob("_fit_resample_one/*") if p.is_dir()])
n_candidates, n_folds = len(grid["clf__C"]), cv.get_n_splits()
print(f"without cache: {n_candidates * n_folds + 1} GAN fits, {plain_time:.1f} s")
print(f"with cache:    {gan_fits} GAN fits, {cached_time:.1f} s")
assert (
    plain.cv_results_["mean_test_score"] == cached.cv_results_["mean_test_score"]
).all()
print(f"best C: {cached.best_params_['clf__C']}, same scores with and without cache")

# %%
# Scores per candidate
# --------------------
# Both searches give the same balanced accuracy for every ``C``.
fig, ax = plt.subplots(figsize=(5, 3))
ax.errorbar(
    grid["clf__C"],
    cached.cv_results_["mean_test_score"],
    yerr=cached.cv_results_["std_test_score"],
    marker="o",
    capsize=3,
)
ax.set_xscale("log")
ax.set_xlabel("C of LogisticRegression")
ax.set_ylabel("balanced accuracy (3-fold)")
fig.tight_layout()
plt.show()
