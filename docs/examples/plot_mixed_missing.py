"""
==============================================
Oversampling a mixed table with missing values
==============================================

Real tables mix numbers, categories, integers and flags, and some cells are
empty. :class:`skgan.GANOversampler` takes such a DataFrame as it is: no
imputation and no one-hot encoding beforehand. This example builds a small
credit table with missing incomes and housing types, oversamples its rare
class, and checks that the synthetic rows keep each column's dtype, hold only
the categories seen in the data, and leave about as many cells empty as the
real rows of their class.
"""

# %%
# A mixed table with holes
# ------------------------
# 200 applicants, 30 of them in default. Income is missing for about one in
# six applicants and the housing type for about one in ten; ``status`` is the
# class to balance.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from skgan import GANOversampler

rng = np.random.default_rng(0)
n = 200
status = np.where(np.arange(n) < 30, "default", "good")
X = pd.DataFrame(
    {
        "income": rng.lognormal(np.where(status == "good", 3.6, 3.2), 0.4).round(1),
        "age": rng.integers(21, 70, n),
        "home": pd.Categorical(
            rng.choice(["rent", "owner", "parents"], n, p=[0.5, 0.4, 0.1])
        ),
        "job": rng.choice(["fixed", "freelance", "partime"], n),
        "has_car": rng.random(n) < np.where(status == "good", 0.6, 0.3),
    }
)
X.loc[rng.random(n) < 0.15, "income"] = np.nan
X.loc[rng.random(n) < 0.10, "home"] = np.nan
y = pd.Series(status, name="status")
print(X.head())

# %%
# Oversample as is
# ----------------
# Category, object and bool columns are modelled as categories
# (``categorical_features="auto"``); a missing value is learned as a state of
# its column. A short training keeps this example fast; the default
# ``epochs="auto"`` trains longer.
sampler = GANOversampler(epochs=60, random_state=0)
X_res, y_res = sampler.fit_resample(X, y)
synthetic = X_res.iloc[len(X) :]
print(y_res.value_counts())

# %%
# Dtypes and categories are kept
# ------------------------------
# The synthetic rows have the input's dtypes, the integer ages are integers
# inside the observed range, and the category and text columns hold only
# values seen in the data.
print(pd.DataFrame({"real": X.dtypes, "synthetic": synthetic.dtypes}))

# %%
for column in ("home", "job"):
    print(
        column,
        sorted(X[column].dropna().unique()),
        "->",
        sorted(synthetic[column].dropna().unique()),
    )
print(
    "age",
    X["age"].agg(["min", "max"]).tolist(),
    "->",
    synthetic["age"].agg(["min", "max"]).tolist(),
)

# %%
# Missing values at about the real rate
# -------------------------------------
# Every synthetic row belongs to the ``default`` class, so the rate to compare
# with is that of the real defaults. Columns without missing values get none.
missing = pd.DataFrame(
    {
        "real defaults": X[y == "default"].isna().mean(),
        "synthetic defaults": synthetic.isna().mean(),
    }
)
missing.plot.barh(xlabel="share of missing cells")
plt.tight_layout()
plt.show()
print(missing.round(3))
