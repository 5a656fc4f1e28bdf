"""The ``skgan`` command: ``demo``, ``resample``, ``report`` and ``benchmark``.

Every subcommand's argparse lives here. Torch, scikit-learn, pandas and the
benchmark are imported inside the subcommands, so that ``--help`` is quick.
"""

import argparse
import os
import shlex
import sys
from pathlib import Path

from . import __version__
from .benchmark import CLASSIFIERS, SAMPLERS, SUITES


def demo(digit=9, minority=15, n_splits=5, random_state=0):
    """Score an SVC without resampling, with SMOTE and with ``GANOversampler``.

    The handwritten digits that ship with scikit-learn become a binary
    table: one ``digit`` against the nine others, cut to ``minority`` rows of
    that digit (against about 1,600 of the others). An RBF support vector
    classifier on standardised pixels is cross-validated with stratified
    folds, once on the rows as they are and once behind each sampler, with
    its defaults, in an imbalanced-learn pipeline, so that resampling sees
    only training folds (SMOTE's ``k_neighbors`` shrinks when a training
    fold holds fewer than six rows of the digit). On so few rows the
    classifier rarely predicts the digit at all unless the training folds
    are resampled.

    Parameters
    ----------
    digit : int, default=9
        The digit that is the minority class.

    minority : int, default=15
        Number of rows of ``digit`` kept; at least ``n_splits + 2``, so that
        SMOTE finds a neighbour in every training fold.

    n_splits : int, default=5
        Number of stratified folds.

    random_state : int, default=0
        Seed of the subsampling, the folds and the samplers.

    Returns
    -------
    table : pandas.DataFrame
        One row per pipeline; columns ``(metric, "mean")`` and
        ``(metric, "std")`` over the folds for balanced accuracy, minority
        F1 and G-mean.

    Raises
    ------
    ValueError
        When ``minority`` is too small for ``n_splits`` folds.
    """
    import numpy as np
    import pandas as pd
    from imblearn.metrics import geometric_mean_score
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import make_pipeline
    from sklearn.datasets import load_digits
    from sklearn.metrics import make_scorer
    from sklearn.model_selection import StratifiedKFold, cross_validate
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from . import GANOversampler

    if minority < n_splits + 2:
        raise ValueError(
            f"minority={minority} is too few rows for {n_splits} folds and "
            f"SMOTE; keep at least {n_splits + 2}."
        )
    X, y = _one_digit_against_the_rest(load_digits(), digit, minority, random_state)
    # The smallest training fold's minority rows, less the row itself.
    k_neighbors = min(5, minority - -(-minority // n_splits) - 1)
    samplers = {
        "no resampling": "passthrough",
        "SMOTE": SMOTE(k_neighbors=k_neighbors, random_state=random_state),
        "GANOversampler": GANOversampler(random_state=random_state),
    }
    scoring = {
        "balanced accuracy": "balanced_accuracy",
        "minority F1": "f1",
        "G-mean": make_scorer(geometric_mean_score),
    }
    folds = StratifiedKFold(n_splits, shuffle=True, random_state=random_state)
    rows = {}
    for name, sampler in samplers.items():
        pipeline = make_pipeline(sampler, StandardScaler(), SVC())
        scores = cross_validate(pipeline, X, y, cv=folds, scoring=scoring)
        rows[name] = {
            (metric, stat): getattr(np, stat)(scores[f"test_{metric}"])
            for metric in scoring
            for stat in ("mean", "std")
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def _one_digit_against_the_rest(digits, digit, minority, random_state):
    """Pixels and 0/1 labels: all other digits and ``minority`` rows of ``digit``."""
    import numpy as np

    y = (digits.target == digit).astype(int)
    rng = np.random.default_rng(random_state)
    kept = rng.choice(np.flatnonzero(y), minority, replace=False)
    keep = np.sort(np.concatenate([np.flatnonzero(y == 0), kept]))
    return digits.data[keep], y[keep]


def _winners(table):
    """One line naming the best pipeline on each metric (ties, as printed, shared)."""
    means = table.xs("mean", axis=1, level=1).round(3)
    best = {
        metric: " and ".join(means.index[means[metric] == means[metric].max()])
        for metric in means.columns
    }
    return "best: " + "; ".join(f"{metric}: {name}" for metric, name in best.items())


def _format(table):
    """``mean ± std`` cells, three decimals."""

    def text(stat):
        return table.xs(stat, axis=1, level=1).apply(lambda c: c.map("{:.3f}".format))

    return text("mean") + " ± " + text("std")


def _run_demo(args):
    print(
        f"digits: {args.minority} rows of {args.digit} against the other digits, "
        f"RBF SVC, {args.n_splits}-fold stratified CV"
    )
    table = demo(args.digit, args.minority, args.n_splits, args.random_state)
    print(_format(table).to_string())
    print(_winners(table))


def _command_line(args):
    """The ``skgan benchmark`` command line: as typed, else rebuilt from ``args``."""
    if sys.argv[1:2] == ["benchmark"]:
        return shlex.join(["skgan", *sys.argv[1:]])
    words = ["skgan", "benchmark", "--suite", args.suite]
    for option in ("datasets", "samplers", "classifiers", "restore_from"):
        if getattr(args, option):
            words += [f"--{option.replace('_', '-')}", *getattr(args, option)]
    for option in ("repeats", "n_splits", "seed", "out", "name"):
        if getattr(args, option) is not None:
            words += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
    return shlex.join(words + (["--quick"] if args.quick else []))


def _run_benchmark(args):
    from . import benchmark

    try:
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
            restore_from=args.restore_from or (),
        )
    # Options and files are checked before any fitting, and a failing sampler
    # is a result, so these are the user's input.
    except (ValueError, OSError) as error:
        raise _InputError(_one_line(error)) from error
    print("wrote:")
    for path in scores.attrs["files"]:
        print(f"  {path}")


class _InputError(Exception):
    """A problem with the user's files or options, told in one line, no traceback."""


_TABLE_SUFFIXES = (".csv", ".parquet")
_REPORT_SUFFIXES = (".html",)
_STRATEGIES = ("auto", "minority", "not minority", "not majority", "all")


def _suffix(path, allowed, role):
    suffix = Path(path).suffix.lower()
    if suffix not in allowed:
        raise _InputError(
            f"{role} {path}: unknown extension {suffix or '(none)'!r}; "
            f"use {' or '.join(allowed)}"
        )
    return suffix


def _check_writable(path, allowed, role):
    """Fail before any training when ``path`` cannot be written."""
    _suffix(path, allowed, role)
    path = Path(path)
    folder = path.parent
    if path.is_dir():
        raise _InputError(f"cannot write {role} {path}: it is a folder")
    if not folder.is_dir():
        raise _InputError(f"cannot write {role} {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (
        path.exists() and not os.access(path, os.W_OK)
    ):
        raise _InputError(f"cannot write {role} {path}: permission denied")


def _read_table(path):
    """Read a CSV or Parquet file into a DataFrame with at least one row."""
    import pandas as pd

    suffix = _suffix(path, _TABLE_SUFFIXES, "input file")
    if not Path(path).is_file():
        raise _InputError(f"input file {path} does not exist")
    try:
        table = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    except ImportError as error:
        raise _InputError(
            f"reading {path} needs pyarrow: pip install pyarrow"
        ) from error
    except pd.errors.EmptyDataError as error:
        raise _InputError(f"input file {path} is empty") from error
    except (OSError, ValueError) as error:
        kind = "CSV" if suffix == ".csv" else "Parquet"
        raise _InputError(
            f"cannot read {path} as {kind}: {_one_line(error)}"
        ) from error
    if table.empty:
        raise _InputError(f"input file {path} has no rows")
    return table


def _write_table(table, path):
    try:
        if Path(path).suffix.lower() == ".csv":
            table.to_csv(path, index=False)
        else:
            table.to_parquet(path, index=False)
    except ImportError as error:
        raise _InputError(
            f"writing {path} needs pyarrow: pip install pyarrow"
        ) from error
    except OSError as error:
        raise _InputError(f"cannot write {path}: {_one_line(error)}") from error


def _one_line(error):
    return " ".join(str(error).split()) or type(error).__name__


def _check_target(table, target, path):
    if target not in table.columns:
        columns = ", ".join(map(str, table.columns[:10]))
        more = ", ..." if len(table.columns) > 10 else ""
        raise _InputError(
            f"target column {target!r} is not in {path} (columns: {columns}{more})"
        )
    labels = table[target]
    if labels.isna().any():
        raise _InputError(
            f"target column {target!r} of {path} has {labels.isna().sum()} missing "
            "values; drop those rows first"
        )


def _split_target(table, target, path):
    """Features and labels of a table, after checking that resampling can use them."""
    _check_target(table, target, path)
    labels = table[target]
    if labels.nunique() < 2:
        raise _InputError(
            f"target column {target!r} of {path} has one class "
            f"({labels.iloc[0]!r}); resampling needs at least two"
        )
    if table.shape[1] < 2:
        raise _InputError(f"{path} has no feature columns besides {target!r}")
    return table.drop(columns=target), labels


def _categorical_features(X, names):
    """``categorical_features`` for GANOversampler: text columns plus ``names``."""
    if names is None:
        return "auto"
    from ._codec import is_categorical

    unknown = [name for name in names if name not in X.columns]
    if unknown:
        raise _InputError(f"--categorical names unknown feature column(s) {unknown}")
    return [c for c in X.columns if c in names or is_categorical(X[c])]


def _require_matplotlib():
    from .report import _require_matplotlib

    try:
        _require_matplotlib()
    except ImportError as error:
        raise _InputError(str(error)) from error


def _run_resample(args):
    _check_writable(args.output, _TABLE_SUFFIXES, "output")
    if args.report:
        _check_writable(args.report, _REPORT_SUFFIXES, "report")
        _require_matplotlib()
    table = _read_table(args.input)
    X, y = _split_target(table, args.target, args.input)
    from . import GANOversampler

    sampler = GANOversampler(
        args.sampling_strategy,
        categorical_features=_categorical_features(X, args.categorical),
        epochs=args.epochs,
        crossover=args.crossover,
        k_neighbors=args.k_neighbors,
        verbose=int(args.verbose),
        random_state=args.random_state,
    )
    try:
        X_res, y_res = sampler.fit_resample(X, y)
    # ValueError: the data or options do not suit the sampler; RuntimeError:
    # training diverged twice, and the message names the remedies.
    except (ValueError, RuntimeError) as error:
        raise _InputError(_one_line(error)) from error
    resampled = X_res.assign(**{args.target: y_res.to_numpy()})[table.columns]
    _write_table(resampled, args.output)
    print(
        f"wrote {args.output}: {len(table)} input rows and "
        f"{len(resampled) - len(table)} synthetic rows"
    )
    if args.report:
        seed = 0 if args.random_state is None else args.random_state
        synthetic = resampled.iloc[len(table) :]
        _write_report(table, synthetic, args.target, args.report, seed)


def _write_report(real, synthetic, target, path, random_state):
    from .report import quality_report

    try:
        quality_report(
            real, synthetic, target=target, output=path, random_state=random_state
        )
    except OSError as error:
        raise _InputError(f"cannot write {path}: {_one_line(error)}") from error
    print(f"wrote {path}")


def _synthetic_rows(real, table):
    """The rows of ``table`` that follow a copy of ``real``, else all of them.

    ``skgan resample`` writes the input rows first, so its output can be
    given as the synthetic table.
    """
    head = table.iloc[: len(real)].reset_index(drop=True)
    if len(table) > len(real) and head.equals(real.reset_index(drop=True)):
        return table.iloc[len(real) :]
    return table


def _run_report(args):
    _check_writable(args.output, _REPORT_SUFFIXES, "report")
    _require_matplotlib()
    real, table = _read_table(args.real), _read_table(args.synthetic)
    for frame, path in ((real, args.real), (table, args.synthetic)):
        _check_target(frame, args.target, path)
    if set(real.columns) != set(table.columns):
        raise _InputError(f"{args.real} and {args.synthetic} have different columns")
    synthetic = _synthetic_rows(real, table)
    if len(synthetic) < len(table):
        print(
            f"{args.synthetic} starts with the rows of {args.real}: reporting on the "
            f"{len(synthetic)} rows after them"
        )
    _write_report(real, synthetic, args.target, args.output, args.random_state)


def _add_demo(subparsers):
    parser = subparsers.add_parser(
        "demo",
        help="score a classifier without resampling, with SMOTE and with "
        "GANOversampler",
        description="Cross-validate an RBF SVC on one handwritten digit against "
        "the others, cut to a few rows of that digit, without resampling, with "
        "SMOTE and with GANOversampler; print balanced accuracy, minority F1 and "
        "G-mean, and which pipeline is best on each.",
    )
    parser.add_argument(
        "--digit",
        type=int,
        choices=range(10),
        default=9,
        metavar="D",
        help="the digit that is the minority class (default: 9)",
    )
    parser.add_argument(
        "--minority",
        type=int,
        default=15,
        help="rows of that digit kept against about 1,600 others (default: 15)",
    )
    parser.add_argument(
        "--n-splits", type=int, default=5, help="stratified folds (default: 5)"
    )
    parser.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the subsampling, the folds and the samplers (default: 0)",
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
        help=f"samplers among {', '.join(SAMPLERS)} (default: all; mixed: "
        "without borderline and adasyn; mnist: without ctgan; --quick: none ros "
        "smote gan)",
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
        help="k-fold repeats, seeds for images (default: 3; images 5; --quick 1)",
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
        "--restore-from",
        nargs="+",
        metavar="CSV",
        help="_scores.csv files of earlier runs (same seed and folds): their cells, "
        "but the GAN's, are restored into the cache first (default: none)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run of about half a minute: few datasets, samplers and "
        "classifiers, one repeat of 3 folds (default: off)",
    )
    parser.set_defaults(func=_run_benchmark)


def _sampling_strategy(text):
    if text in _STRATEGIES:
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither one of {', '.join(_STRATEGIES)} nor a number"
        ) from None


def _epochs(text):
    if text == "auto":
        return text
    if text.isdigit():
        return int(text)
    raise argparse.ArgumentTypeError(
        f"{text!r} is neither 'auto' nor a non-negative integer"
    )


def _add_target_and_output(parser, output_metavar, output_help):
    parser.add_argument(
        "--target",
        required=True,
        metavar="COL",
        help="column holding the class label (required)",
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar=output_metavar,
        help=f"{output_help} (required)",
    )


def _add_resample(subparsers):
    parser = subparsers.add_parser(
        "resample",
        help="append synthetic minority rows to a CSV or Parquet table",
        description="Train GANOversampler on a table and write the input rows "
        "followed by the synthetic ones, with the input's columns, names and "
        "dtypes. Text columns are modelled as categories.",
    )
    parser.add_argument(
        "input", metavar="IN", help="table to resample, .csv or .parquet"
    )
    _add_target_and_output(parser, "OUT", "file to write, .csv or .parquet")
    parser.add_argument(
        "--sampling-strategy",
        type=_sampling_strategy,
        default="auto",
        metavar="S",
        help="which classes grow, as in imbalanced-learn: auto, minority, "
        "'not minority', 'not majority', all, or a float (minority over majority "
        "count, two classes only) (default: auto)",
    )
    parser.add_argument(
        "--categorical",
        nargs="+",
        metavar="COLUMN",
        help="numeric columns to model as categories, besides the text columns "
        "(default: text columns only)",
    )
    parser.add_argument(
        "--epochs",
        type=_epochs,
        default="auto",
        metavar="N",
        help="training epochs (0: the untrained anchored generator), or auto for "
        "about 250 optimiser steps (default: auto)",
    )
    parser.add_argument(
        "--crossover",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="let each integer or 0/1 column start from either of the two rows a "
        "synthetic row lies between, so that rounded values mix them instead of "
        "copying one (default: on)",
    )
    parser.add_argument(
        "--k-neighbors",
        type=int,
        default=10,
        metavar="K",
        help="nearest rows of its class that a synthetic row may lie towards "
        "(default: 10)",
    )
    parser.add_argument(
        "--random-state",
        type=int,
        metavar="N",
        help="seed of the training and sampling (default: unseeded, fresh each run)",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="show a progress bar over the epochs (default: off)",
    )
    parser.add_argument(
        "--report",
        metavar="HTML",
        help="also write the quality report of the synthetic rows here "
        "(default: no report)",
    )
    parser.set_defaults(func=_run_resample)


def _add_report(subparsers):
    parser = subparsers.add_parser(
        "report",
        help="write an HTML report comparing synthetic rows with real ones",
        description="Compare synthetic rows with real ones, class by class: "
        "column marginals, correlation differences, a PCA scatter, C2ST AUC, "
        "DCR ratio and exact-copy rate, in one self-contained HTML file. "
        "SYNTHETIC may be the output of skgan resample: when it starts with the "
        "rows of REAL, only the rows after them are compared.",
    )
    parser.add_argument("real", metavar="REAL", help="real rows, .csv or .parquet")
    parser.add_argument(
        "synthetic", metavar="SYNTHETIC", help="synthetic rows, .csv or .parquet"
    )
    _add_target_and_output(parser, "HTML", "HTML file to write")
    parser.add_argument(
        "--random-state",
        type=int,
        default=0,
        metavar="N",
        help="seed of the two-sample test and the scatter's draw (default: 0)",
    )
    parser.set_defaults(func=_run_report)


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
    _add_resample(subparsers)
    _add_report(subparsers)
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
        Exit status: 0 on success, 1 when an input file or option cannot be
        used, which is told in one line on standard error.
    """
    args = build_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except _InputError as error:
        print(f"skgan: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
