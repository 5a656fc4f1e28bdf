"""Compare GANOversampler configurations to choose its defaults.

For each KEEL table the sampler is fitted on all rows and balances the classes;
the synthetic minority rows are then compared with the real minority rows by a
classifier two-sample test (C2ST AUC, 0.5 = indistinguishable) and by the mean
per-column KS distance. Fit time is the wall time of ``fit_resample``.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/defaults.py [--datasets NAME ...]

writes ``benchmarks/results/defaults.md``.
"""

import argparse
import shlex
import sys
import time
from pathlib import Path

import pandas as pd
import torch

from skgan import GANOversampler
from skgan.benchmark import appended_fidelity
from skgan.datasets import load_keel
from skgan.report import markdown_table, provenance

CONFIGS = {
    "hinge": {"loss": "hinge"},
    "wgan-gp (default)": {},
    "hinge, 2 D steps": {"loss": "hinge", "discriminator_steps": 2},
    "hinge, widths 256": {"loss": "hinge", "hidden_dims": (256, 256)},
    "hinge, per_class": {"loss": "hinge", "mode": "per_class"},
}
DATASETS = ["glass4", "ecoli1", "wisconsin", "pima", "vehicle1", "yeast4"]
SEEDS = [0, 1]


def evaluate(X, y, params, seed):
    """Fit one configuration and score its synthetic minority rows."""
    minority = y.value_counts().idxmin()
    start = time.perf_counter()
    X_res, y_res = GANOversampler(random_state=seed, **params).fit_resample(X, y)
    seconds = time.perf_counter() - start
    records = appended_fidelity(X, y, X_res, y_res, random_state=seed)
    (scores,) = [r for r in records if r["class"] == str(minority)]
    return {
        "c2st": scores["c2st_auc"],
        "ks": scores["column_distance"],
        "fit_s": seconds,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets", nargs="+", default=DATASETS, help="KEEL tables to compare on"
    )
    parser.add_argument("--out", default="benchmarks/results/defaults.md")
    args = parser.parse_args(argv)
    rows = []
    for name in args.datasets:
        X, y = load_keel(name)
        for label, params in CONFIGS.items():
            for seed in SEEDS:
                rows.append(
                    {"dataset": name, "config": label, **evaluate(X, y, params, seed)}
                )
                print(rows[-1], flush=True)
    scores = pd.DataFrame(rows)
    write_report(scores, args)


def write_report(scores, args):
    """Write the per-dataset and overall tables as markdown."""
    by_dataset = scores.groupby(["dataset", "config"], sort=False).mean()
    overall = scores.groupby("config", sort=False)[["c2st", "ks", "fit_s"]].mean()
    overall["c2st rank"] = (
        by_dataset["c2st"]
        .groupby(level="dataset")
        .rank()
        .groupby(level="config")
        .mean()
    )
    command = "OMP_NUM_THREADS=1 python " + shlex.join(
        ["benchmarks/defaults.py", *sys.argv[1:]]
    )
    lines = [
        "# Choosing GANOversampler's defaults",
        "",
        *provenance(command),
        f"- torch threads: {torch.get_num_threads()}; the machine was shared with "
        "other jobs, so fit times are upper bounds",
        f"- Seeds: {SEEDS}; synthetic minority rows vs real minority rows",
        "",
        "C2ST AUC: gradient-boosting two-sample test, 0.5 = indistinguishable. "
        "KS: mean per-column KS / TV distance, lower is closer. A C2ST AUC "
        "well below 0.5 means synthetic rows sit nearer the real rows than "
        "real rows sit to each other, as near-copies do. The c2st rank ranks "
        "configurations by C2ST AUC, lowest first.",
        "",
        "## Overall (mean over datasets and seeds)",
        "",
        markdown_table(overall),
        "",
        "## Per dataset",
        "",
        markdown_table(by_dataset),
        "",
    ]
    Path(args.out).write_text("\n".join(lines))


if __name__ == "__main__":
    main()
