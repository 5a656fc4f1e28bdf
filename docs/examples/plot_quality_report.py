"""
==========================================
Checking synthetic rows with a report
==========================================

Before training a classifier on synthetic rows, look at them. This example
oversamples the malignant tumours of scikit-learn's breast-cancer table, plots
the GAN's losses per epoch with :func:`skgan.plot_history`, and writes the HTML
quality report of :func:`skgan.report.quality_report`, which compares the
synthetic rows of each class with the real ones. The same report comes from the
command line with ``skgan resample data.csv --target y --output balanced.csv
--report report.html``.
"""

# %%
# Oversample a scarce class
# -------------------------
# Keep 40 malignant tumours against the 357 benign ones, and let the sampler
# bring them level. A short training keeps this example fast; the default
# ``epochs="auto"`` trains longer.
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer

from skgan import GANOversampler, plot_history
from skgan.report import quality_report

X, y = load_breast_cancer(return_X_y=True, as_frame=True)
y = y.map({0: "malignant", 1: "benign"})
keep = (y == "benign") | (y == "malignant").cumsum().le(40)
X, y = X[keep], y[keep]

sampler = GANOversampler(epochs=40, random_state=0)
X_res, y_res = sampler.fit_resample(X, y)
print(y_res.value_counts())

# %%
# Did training settle?
# --------------------
# ``history_`` holds the mean discriminator and generator losses of each epoch.
plot_history(sampler)
plt.show()

# %%
# The quality report
# ------------------
# The synthetic rows are those after the original ones. The report is one HTML
# file with its figures inside: per-column marginals, the difference of the
# correlation matrices, a scatter on the real rows' principal components and
# three scores (C2ST AUC, DCR ratio, exact-copy rate) with how to read them.
real = X.assign(diagnosis=y)
synthetic = X_res.iloc[len(X) :].assign(diagnosis=y_res.iloc[len(X) :])
path = Path(tempfile.mkdtemp()) / "quality_report.html"
quality_report(real, synthetic, target="diagnosis", output=path)
print(f"open {path} in a browser ({path.stat().st_size // 1024} KiB)")
