"""The ``skgan`` command: ``skgan demo`` and ``skgan benchmark``."""

import argparse
import sys

from . import __version__, benchmark


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
    parser = argparse.ArgumentParser(
        prog="skgan", description="Conditional-GAN oversampling for imbalanced data."
    )
    parser.add_argument("--version", action="version", version=__version__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    demo_parser = subparsers.add_parser(
        "demo",
        help="score a classifier with and without GANOversampler",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    demo_parser.add_argument("--minority", type=int, default=30)
    demo_parser.add_argument("--n-splits", type=int, default=5)
    demo_parser.add_argument("--random-state", type=int, default=0)
    demo_parser.set_defaults(func=_run_demo)
    benchmark.add_parser(subparsers)
    args = parser.parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
