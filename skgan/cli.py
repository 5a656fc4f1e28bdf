"""The ``skgan`` command: ``skgan demo`` and ``skgan benchmark``.

Every subcommand's argparse lives here. Torch, scikit-learn, pandas and the
benchmark are imported inside the subcommands, so that ``--help`` is quick.
"""

import argparse
import shlex
import sys

from . import __version__
from .benchmark import CLASSIFIERS, SAMPLERS, SUITES


def demo(minority=30, n_splits=5, random_state=0):
    """Score a classifier with and without ``GANOversampler`` on an imbalanced table.

    The breast-cancer table that ships with scikit-learn is made imbalanced by
    keeping only ``minority`` malignant tumours (against 357 benign ones). A
    scaled logistic regression is cross-validated with stratified folds, once
    on the rows as they are and once behind a ``GANOversampler`` in an
    imbalanced-learn pipeline, so that resampling sees only training folds.

    Parameters
    ----------
    minority : int, default=30
        Number of malignant rows kept.

    n_splits : int, default=5
        Number of stratified folds.

    random_state : int, default=0
        Seed of the subsampling, the folds and the sampler.

    Returns
    -------
    table : pandas.DataFrame
        Mean and standard deviation of balanced accuracy, minority F1 and
        G-mean over the folds, one row per pipeline.
    """
    import numpy as np
    import pandas as pd
    from imblearn.metrics import geometric_mean_score
    from imblearn.pipeline import make_pipeline
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import make_scorer
    from sklearn.model_selection import StratifiedKFold, cross_validate
    from sklearn.preprocessing import StandardScaler

    from . import GANOversampler

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    y = 1 - y  # malignant is the class of interest: make it the positive label
    rng = np.random.default_rng(random_state)
    malignant = np.flatnonzero(y == 1)
    keep = np.sort(
        np.concatenate([np.flatnonzero(y == 0), rng.choice(malignant, minority, False)])
    )
    X, y = X.iloc[keep], y.iloc[keep]
    scoring = {
        "balanced accuracy": "balanced_accuracy",
        "minority F1": "f1",
        "G-mean": make_scorer(geometric_mean_score),
    }
    folds = StratifiedKFold(n_splits, shuffle=True, random_state=random_state)
    pipelines = {
        "no resampling": make_pipeline(StandardScaler(), LogisticRegression()),
        "GANOversampler": make_pipeline(
            GANOversampler(random_state=random_state),
            StandardScaler(),
            LogisticRegression(),
        ),
    }
    rows = {}
    for name, pipeline in pipelines.items():
        scores = cross_validate(pipeline, X, y, cv=folds, scoring=scoring)
        rows[name] = {
            metric: f"{scores[f'test_{metric}'].mean():.3f} "
            f"± {scores[f'test_{metric}'].std():.3f}"
            for metric in scoring
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def _run_demo(args):
    print(
        f"breast cancer, {args.minority} malignant vs 357 benign rows, "
        f"logistic regression, {args.n_splits}-fold stratified CV"
    )
    table = demo(args.minority, args.n_splits, args.random_state)
    print(table.to_string())


def _command_line(args):
    """The ``skgan benchmark`` command line: as typed, else rebuilt from ``args``."""
    if sys.argv[1:2] == ["benchmark"]:
        return shlex.join(["skgan", *sys.argv[1:]])
    words = ["skgan", "benchmark", "--suite", args.suite]
    for option in ("datasets", "samplers", "classifiers"):
        if getattr(args, option):
            words += [f"--{option}", *getattr(args, option)]
    for option in ("repeats", "n_splits", "seed", "out", "name"):
        if getattr(args, option) is not None:
            words += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
    return shlex.join(words + (["--quick"] if args.quick else []))


def _run_benchmark(args):
    from . import benchmark

    scores = benchmark.run_benchmark(
        args.suite,
        args.datasets,
        args.samplers,
        args.classifiers,
        repeats=args.repeats,
        n_splits=args.n_splits,
        out=args.out,
        quick=args.quick,
        seed=args.seed,
        name=args.name,
        command=_command_line(args),
    )
    print("wrote:")
    for path in scores.attrs["files"]:
        print(f"  {path}")


def _add_demo(subparsers):
    parser = subparsers.add_parser(
        "demo",
        help="score a classifier with and without GANOversampler",
        description="Cross-validate a logistic regression on an imbalanced "
        "breast-cancer table, with and without GANOversampler, and print "
        "balanced accuracy, minority F1 and G-mean.",
    )
    parser.add_argument(
        "--minority",
        type=int,
        default=30,
        help="malignant rows kept against 357 benign ones (default: 30)",
    )
    parser.add_argument(
        "--n-splits", type=int, default=5, help="stratified folds (default: 5)"
    )
    parser.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the subsampling, the folds and the sampler (default: 0)",
    )
    parser.set_defaults(func=_run_demo)


def _add_benchmark(subparsers):
    parser = subparsers.add_parser(
        "benchmark",
        help="run the oversampling benchmark protocol",
        description="Repeated stratified k-fold benchmark of oversamplers x "
        "classifiers; scores are cached under OUT/cache so runs resume. "
        "Prints the paths of the files it wrote.",
    )
    parser.add_argument(
        "--suite",
        choices=SUITES,
        default="keel",
        help=f"dataset suite among {', '.join(SUITES)} (default: keel)",
    )
    parser.add_argument(
        "--datasets",
        nargs="+",
        metavar="NAME",
        help="datasets of the suite (default: the whole suite; a few with --quick)",
    )
    parser.add_argument(
        "--samplers",
        nargs="+",
        choices=SAMPLERS,
        metavar="SAMPLER",
        help=f"samplers among {', '.join(SAMPLERS)} (default: all; mixed suite "
        "without borderline and adasyn; --quick: none ros smote gan)",
    )
    parser.add_argument(
        "--classifiers",
        nargs="+",
        choices=CLASSIFIERS,
        metavar="CLF",
        help=f"classifiers among {', '.join(CLASSIFIERS)} (default: all; "
        "--quick: lr knn hgb)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        help="k-fold repeats, seeds for digits (default: 3; digits 5; --quick 1)",
    )
    parser.add_argument(
        "--n-splits", type=int, help="folds per repeat (default: 5; --quick 3)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the folds, samplers and classifiers (default: 0)",
    )
    parser.add_argument(
        "--out",
        default="benchmark_results",
        help="output and cache folder (default: benchmark_results)",
    )
    parser.add_argument(
        "--name", help="stem of the output files (default: the suite's name)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run of a few minutes: few datasets, samplers and "
        "classifiers, one repeat of 3 folds (default: off)",
    )
    parser.set_defaults(func=_run_benchmark)


def build_parser():
    """Build the ``skgan`` argument parser with its subcommands.

    Returns
    -------
    parser : argparse.ArgumentParser
        Parses ``skgan``'s arguments; the chosen subcommand's function is the
        ``func`` attribute of the parsed namespace.

    Examples
    --------
    >>> from skgan.cli import build_parser
    >>> build_parser().parse_args(["benchmark", "--suite", "mixed", "--quick"]).quick
    True
    """
    parser = argparse.ArgumentParser(
        prog="skgan", description="Conditional-GAN oversampling for imbalanced data."
    )
    parser.add_argument("--version", action="version", version=__version__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    _add_demo(subparsers)
    _add_benchmark(subparsers)
    return parser


def main(argv=None):
    """Run the ``skgan`` command line.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    status : int
        Exit status: 0 on success.
    """
    args = build_parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
