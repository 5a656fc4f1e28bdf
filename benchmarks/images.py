"""Digits benchmark: GANOversampler against no resampling, ROS and SMOTE.

The digits protocol of benchmarks/README.md: scikit-learn's 8x8 digits, made
imbalanced on the training side (150, 100, 70, 50, 35, 25, 18, 12, 8, 5 images of
digits 0..9), tested on a balanced held-out set, 5 seeds. For every seed and
sampler the training side is resampled once and each classifier is fitted on the
result, which is what ``make_pipeline(sampler, classifier)`` does. Each
classifier is scored on the raw pixels and, as the protocol's tables are, behind
a ``StandardScaler`` fitted after the sampler. It also
reports the share of synthetic images that an SVC trained on all real digits
assigns to their intended digit, and the sampler's fit time.

Scores are cached per sampler in ``benchmarks/results/images_scores/`` so
samplers can be run in separate processes; ``--report`` merges them into
``benchmarks/results/images.md`` (keeping its hand-written "Findings" section)
and draws the grid of real and generated digits::

    python benchmarks/images.py --threads 1 --samplers none ros smote gan
    python benchmarks/images.py --threads 1 --samplers gan-augment gan-conv
    python benchmarks/images.py --report
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from imblearn.metrics import geometric_mean_score
from imblearn.over_sampling import SMOTE, RandomOverSampler
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skgan import GANOversampler
from skgan.benchmark import smote_neighbours
from skgan.datasets import DIGITS_COUNTS, load_imbalanced_digits
from skgan.report import markdown_table, plot_image_grid, provenance

RESULTS = Path(__file__).parent / "results"
SCORES = RESULTS / "images_scores"
SEEDS = (0, 1, 2, 3, 4)

# Sampler factories of the training labels and the seed.
SAMPLERS = {
    "none": lambda y, seed: None,
    "ros": lambda y, seed: RandomOverSampler(random_state=seed),
    "smote": lambda y, seed: SMOTE(k_neighbors=smote_neighbours(y), random_state=seed),
    "gan": lambda y, seed: GANOversampler(image_shape=(8, 8), random_state=seed),
    # DiffAugment on the fully connected networks, which "auto" leaves off.
    "gan-augment": lambda y, seed: GANOversampler(
        image_shape=(8, 8), augment="translation,cutout", random_state=seed
    ),
    "gan-translation": lambda y, seed: GANOversampler(
        image_shape=(8, 8), augment="translation", random_state=seed
    ),
    # Convolutional networks at a width the CPU trains in about a minute.
    "gan-conv": lambda y, seed: GANOversampler(
        image_shape=(8, 8),
        network="conv",
        conv_width=16,
        batch_size=64,
        epochs=60,
        random_state=seed,
    ),
    # The MLP of the table path: digits as 64 numeric columns.
    "gan-table": lambda y, seed: GANOversampler(random_state=seed),
}
CLASSIFIERS = {
    "SVC": SVC,
    "LogisticRegression": lambda: LogisticRegression(max_iter=1000),
    "scaled SVC": lambda: make_pipeline(StandardScaler(), SVC()),
    "scaled LogisticRegression": lambda: make_pipeline(
        StandardScaler(), LogisticRegression(max_iter=1000)
    ),
}
COMMAND = (
    "python benchmarks/images.py --threads 1 --samplers "
    + " ".join(SAMPLERS)
    + " && python benchmarks/images.py --report"
)


def judge():
    """An SVC trained on all real digits, to recognise synthetic ones."""
    X, y = load_digits(return_X_y=True)
    return SVC().fit(X, y)


def run(name, seeds):
    """Score sampler ``name`` on every seed; return one record per seed."""
    recogniser = judge()
    records = []
    for seed in seeds:
        X_train, X_test, y_train, y_test = load_imbalanced_digits(seed=seed)
        sampler = SAMPLERS[name](y_train, seed)
        start = time.perf_counter()
        X_res, y_res = (
            (X_train, y_train)
            if sampler is None
            else sampler.fit_resample(X_train, y_train)
        )
        record = {"seed": seed, "fit_s": time.perf_counter() - start}
        synthetic = slice(len(X_train), None)
        if len(X_res) > len(X_train):
            record["recognised"] = float(
                np.mean(recogniser.predict(X_res[synthetic]) == y_res[synthetic])
            )
        for clf_name, make in CLASSIFIERS.items():
            pred = make().fit(X_res, y_res).predict(X_test)
            record[clf_name] = {
                "balanced_accuracy": balanced_accuracy_score(y_test, pred),
                "g_mean": geometric_mean_score(y_test, pred, average="macro"),
                "f1_macro": f1_score(y_test, pred, average="macro"),
            }
        print(name, json.dumps(record), flush=True)
        records.append(record)
    return records


def _mean_std(values):
    return f"{np.mean(values):.3f} ± {np.std(values):.3f}"


def _score_table(scores, order):
    """Mean ± std over seeds per classifier and sampler."""
    metrics = {
        "balanced_accuracy": "balanced accuracy",
        "g_mean": "macro G-mean",
        "f1_macro": "macro F1",
    }
    rows = [
        {
            "classifier": clf_name,
            "sampler": name,
            **{
                label: _mean_std([r[clf_name][metric] for r in scores[name]])
                for metric, label in metrics.items()
            },
        }
        for clf_name in CLASSIFIERS
        for name in order
    ]
    return pd.DataFrame(rows)


def _sampler_table(scores, order):
    """Seeds, recognised synthetic images and fit time per sampler."""
    rows = []
    for name in order:
        records = scores[name]
        recognised = (
            _mean_std([r["recognised"] for r in records])
            if "recognised" in records[0]
            else "-"
        )
        rows.append(
            {
                "sampler": name,
                "seeds": len(records),
                "synthetic images recognised": recognised,
                "fit time (s)": _mean_std([r["fit_s"] for r in records]),
            }
        )
    return pd.DataFrame(rows)


def report():
    """Merge cached scores into images.md and draw the digit grid."""
    scores = {
        path.stem: json.loads(path.read_text())
        for path in sorted(SCORES.glob("*.json"))
    }
    order = [name for name in SAMPLERS if name in scores]
    lines = [
        "# Digits benchmark: GANOversampler on images",
        "",
        *provenance(COMMAND),
        "",
        "Samplers: `gan` is `GANOversampler(image_shape=(8, 8))` with its defaults "
        "(on 8x8 images: fully connected networks, no augmentation, 1000 optimiser "
        "steps of 256 images); `gan-augment` and `gan-translation` add DiffAugment "
        "translation + cutout or translation only; `gan-conv` uses the "
        "convolutional networks at a CPU-affordable width (`conv_width=16, "
        "batch_size=64, epochs=60`); `gan-table` models the pixels as 64 numeric "
        "table columns (no `image_shape`). SMOTE uses `k_neighbors=4` for the "
        '5-image class. "Scaled" classifiers sit behind a StandardScaler fitted '
        'after the sampler, as in the table suites. "Recognised" is the share '
        "of synthetic images that an SVC trained on all 1797 real digits assigns "
        "to their intended digit. Fit times: one torch thread.",
        "",
        "Protocol: digits suite of benchmarks/README.md (training counts "
        f"{', '.join(map(str, DIGITS_COUNTS))} for digits 0..9, balanced held-out test "
        "set, seeds 0-4). Mean ± std over seeds.",
        "",
        markdown_table(_score_table(scores, order)),
        markdown_table(_sampler_table(scores, order)).rstrip("\n"),
    ]
    path = RESULTS / "images.md"
    old = path.read_text() if path.exists() else ""
    findings = old[old.index("## Findings") :] if "## Findings" in old else ""
    path.write_text("\n".join(lines) + "\n\n" + findings)
    draw_grid(RESULTS / "images_grid.png")
    print("\n".join(lines))


def draw_grid(path, n_per_class=8, seed=0):
    """Real digits of the training side next to generated ones, one row per digit."""
    X_train, _, y_train, _ = load_imbalanced_digits(seed=seed)
    sampler = SAMPLERS["gan"](y_train, seed).fit(X_train, y_train)
    rows = []
    for digit in range(10):
        real = list(X_train[y_train == digit][:n_per_class])
        # A blank column between the real images and the generated ones.
        real += [None] * (n_per_class - len(real) + 1)
        rows.append([*real, *sampler.sample(n_per_class, y=digit)])
    return plot_image_grid(
        rows,
        path,
        row_labels=[f"{d}: {n}" for d, n in enumerate(DIGITS_COUNTS)],
        title="Real training digits (left) and generated ones (right)",
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samplers", nargs="*", default=[], choices=list(SAMPLERS))
    parser.add_argument("--seeds", nargs="*", type=int, default=list(SEEDS))
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    SCORES.mkdir(parents=True, exist_ok=True)
    for name in args.samplers:
        (SCORES / f"{name}.json").write_text(json.dumps(run(name, args.seeds)))
    if args.report:
        report()


if __name__ == "__main__":
    main()
