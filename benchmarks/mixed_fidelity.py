"""Fidelity of synthetic minority rows on the mixed-type development suite.

For every table of ``skgan.datasets.MIXED_SUITE`` and every seed, each sampler
resamples the whole table to ``sampling_strategy="auto"``; the synthetic rows
of each oversampled class are compared with that class's real rows by C2ST AUC
(0.5 = indistinguishable), the mean per-column KS / total-variation distance
and the correlation-matrix distance. Fit time is the wall time of
``fit_resample``. SMOTENC cannot take missing values, so it gets a median /
most-frequent imputation first (its synthetic rows then have no gaps, which
C2ST can see on ``credit_data``); a CTGAN-per-class peer runs when ``ctgan``
is installed.

Usage::

    python benchmarks/mixed_fidelity.py [--seeds 0 1 2] \
        [--encodings standard quantile mode]
"""

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

import pandas as pd
from imblearn.over_sampling import SMOTENC
from sklearn.impute import SimpleImputer

from skgan import GANOversampler
from skgan.benchmark import (
    appended_fidelity,
    categorical_columns,
    ctgan_per_class,
    smote_neighbours,
)
from skgan.datasets import MIXED_SUITE, load_rtable
from skgan.report import markdown_table, provenance

RESULTS = Path(__file__).parent / "results" / "mixed_fidelity.md"
MEASURES = {
    "c2st": "c2st_auc",
    "column": "column_distance",
    "correlation": "correlation_distance",
}


def _impute(X):
    """Median / most-frequent imputation that keeps the columns and dtypes."""
    categorical = categorical_columns(X)
    numeric = [c for c in X.columns if c not in categorical]
    filled = X.copy()
    if numeric:
        filled[numeric] = SimpleImputer(strategy="median").fit_transform(X[numeric])
    for column in categorical:
        filled[column] = X[column].fillna(X[column].mode().iloc[0])
    return filled.astype(X.dtypes.to_dict())


def run_smotenc(X, y, seed):
    sampler = SMOTENC(
        categorical_columns(X), k_neighbors=smote_neighbours(y), random_state=seed
    )
    return sampler.fit_resample(_impute(X), y)


def run_gan(encoding):
    def run(X, y, seed):
        sampler = GANOversampler(numeric_encoding=encoding, random_state=seed)
        return sampler.fit_resample(X, y)

    return run


def fidelity(X, y, X_res, y_res, seed):
    """Mean scores over the oversampled classes."""
    records = pd.DataFrame(appended_fidelity(X, y, X_res, y_res, random_state=seed))
    return {name: records[column].mean() for name, column in MEASURES.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--encodings", nargs="+", default=["standard", "quantile", "mode"]
    )
    parser.add_argument("--datasets", nargs="+", default=None)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    samplers = {"SMOTENC": run_smotenc}
    samplers |= {f"GAN ({enc})": run_gan(enc) for enc in args.encodings}
    try:
        import ctgan  # noqa: F401

        samplers["CTGAN per class"] = ctgan_per_class
    except ImportError:
        pass
    rows = []
    for package, name, target in MIXED_SUITE:
        if args.datasets and name not in args.datasets:
            continue
        X, y = load_rtable(package, name, target)
        for seed in args.seeds:
            for sampler, run in samplers.items():
                start = time.perf_counter()
                X_res, y_res = run(X, y, seed)
                seconds = time.perf_counter() - start
                scores = fidelity(X, y, X_res, y_res, seed)
                rows.append(
                    {"dataset": name, "sampler": sampler, "seed": seed}
                    | scores
                    | {"fit_s": seconds}
                )
                print(rows[-1], flush=True)
    write_report(pd.DataFrame(rows), args.output)


def _command():
    """The command line, with the thread setting that affects fit times."""
    threads = os.environ.get("OMP_NUM_THREADS")
    prefix = [f"OMP_NUM_THREADS={threads}"] if threads else []
    return shlex.join([*prefix, "python", *sys.argv])


def _mean_std(table, measure):
    mean, std = table[(measure, "mean")], table[(measure, "std")]
    return mean.map("{:.3f}".format) + " (" + std.map("{:.3f}".format) + ")"


def write_report(results, output):
    table = (
        results.groupby(["dataset", "sampler"], sort=False)
        .agg(["mean", "std"])
        .drop(columns="seed")
    )
    cells = pd.DataFrame(
        {
            "C2ST AUC": _mean_std(table, "c2st"),
            "column dist.": _mean_std(table, "column"),
            "correlation dist.": _mean_std(table, "correlation"),
            "fit s": table[("fit_s", "mean")].map("{:.1f}".format),
        }
    )
    lines = [
        "# Fidelity of synthetic minority rows, mixed-type suite",
        "",
        *provenance(_command()),
        "",
        "Mean (std) over seeds of the per-class mean over oversampled classes. "
        "C2ST: ROC-AUC of gradient boosting telling real minority rows from "
        "synthetic ones (0.5 = indistinguishable). Column: mean KS (numeric) / "
        "total variation (categorical) distance. Correlation: RMS difference of "
        "correlation matrices. Fit: wall seconds of `fit_resample` on a shared "
        "2-core machine (noisy).",
        "",
        markdown_table(cells).rstrip("\n"),
    ]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
