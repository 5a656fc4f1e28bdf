"""
==========================================
Oversampling scarce digits with a GAN
==========================================

Scikit-learn's 8x8 digits are made imbalanced: 150 images of the digit 0 down
to 5 images of the digit 9. :class:`~skgan.GANOversampler` generates new images
of the scarce digits inside an imbalanced-learn pipeline, and we compare the
pipeline's balanced accuracy with a classifier trained on the imbalanced
digits alone. A grid then shows real training digits next to generated ones.
"""

# %%
# An imbalanced training side, a balanced test side
# -------------------------------------------------
# Rows of ``X`` are flattened 8x8 images with pixel values 0..16;
# ``image_shape=(8, 8)`` tells the sampler so. The generated images keep the
# dtype and the 0..16 range.
from collections import Counter

import matplotlib.pyplot as plt
from imblearn.pipeline import make_pipeline
from sklearn.metrics import balanced_accuracy_score
from sklearn.svm import SVC

from skgan import GANOversampler
from skgan.datasets import load_imbalanced_digits
from skgan.report import plot_image_grid

X_train, X_test, y_train, y_test = load_imbalanced_digits(seed=0)
print("training images per digit:", dict(sorted(Counter(y_train).items())))

# %%
# A pipeline: oversample, then classify
# -------------------------------------
# The sampler only acts while the pipeline is fitted; predictions use the SVC
# alone. Training the GAN takes under a minute on a laptop CPU.
baseline = SVC().fit(X_train, y_train)
pipeline = make_pipeline(GANOversampler(image_shape=(8, 8), random_state=0), SVC()).fit(
    X_train, y_train
)
for name, model in (("SVC alone", baseline), ("GAN + SVC", pipeline)):
    score = balanced_accuracy_score(y_test, model.predict(X_test))
    print(f"{name}: balanced accuracy {score:.3f}")

# %%
# Real and generated digits
# -------------------------
# Each row shows up to six real training images of a digit, then six images
# the fitted generator draws for it with :meth:`~skgan.GANOversampler.sample`.
sampler = pipeline[0]
n_shown = 6
rows = []
for digit in range(10):
    real = list(X_train[y_train == digit][:n_shown])
    real += [None] * (n_shown - len(real))
    rows.append([*real, *sampler.sample(n_shown, y=digit)])
plot_image_grid(
    rows,
    None,
    row_labels=[f"{d} ({Counter(y_train)[d]} real)" for d in range(10)],
    title="Real training digits (left) and generated digits (right)",
)
plt.show()
