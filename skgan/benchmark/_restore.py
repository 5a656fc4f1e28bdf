"""Rebuild the score cache from the CSV files of a finished run.

The cache is not committed, but the ``<name>_scores.csv`` and
``<name>_fidelity.csv`` of a published run hold exactly what its cells held,
so a rerun after a change to one sampler need not refit the others.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from ._cells import (
    FIDELITY,
    LATER_FIDELITY,
    METRICS,
    _write_json,
    cell_paths,
    fold_folder,
)
from ._suites import IMAGE_SETS

_KEYS = ["dataset", "repeat", "fold", "sampler"]
_SCORE_COLUMNS = [*_KEYS, "classifier", *METRICS, "error", "fit_time"]


def _read(path, required):
    # As text, converted by Python: a class or dataset named "NA" stays text,
    # and every float is the very one that was written, whatever the pandas.
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [column for column in required if column not in table.columns]
    if missing:
        raise ValueError(f"{path} lacks the column(s) {missing}.")
    return table.astype({"repeat": int, "fold": int})


def _number(text):
    return float(text) if text else np.nan


def _score_record(row):
    record = {metric: _number(row[metric]) for metric in METRICS}
    error, fit_time = row["error"] or None, _number(row["fit_time"])
    if error is not None and np.isnan(fit_time):
        # A sampler that failed left its keys in this order (see _failure).
        return {**record, "fit_time": fit_time, "error": error}
    return {**record, "error": error, "fit_time": fit_time}


def _fidelity_record(row):
    numbers = {column: _number(row[column]) for column in FIDELITY}
    error = row.get("error")
    if error:
        return {**numbers, "error": error}
    return {"class": row["class"], "n_synthetic": int(row["n_synthetic"]), **numbers}


def _sampler_failed(cell):
    """Whether the sampler itself failed: then it left no fidelity file."""
    return (cell["error"] != "").all() and (cell["fit_time"] == "").all()


def _check_folds(scores, n_splits, path):
    """Fail when the folds of ``path`` are not those of ``n_splits``-fold runs."""
    for (dataset, repeat), folds in scores.groupby(["dataset", "repeat"])["fold"]:
        expected = {0} if dataset in IMAGE_SETS else set(range(n_splits))
        if set(folds) != expected:
            raise ValueError(
                f"{path} holds folds {sorted(set(folds))} of {dataset!r}, repeat "
                f"{repeat}; a run with n_splits={n_splits} has folds "
                f"{sorted(expected)}."
            )


def _fidelity_table(scores_csv):
    path = Path(str(scores_csv).removesuffix("_scores.csv") + "_fidelity.csv")
    if not path.exists():
        return None
    table = _read(
        path,
        [*_KEYS, "class", "n_synthetic"]
        + [score for score in FIDELITY if score not in LATER_FIDELITY],
    )
    # A score added since the file was written stays unmeasured (NaN).
    missing = {score: "" for score in LATER_FIDELITY if score not in table.columns}
    return table.assign(**missing).groupby(_KEYS)


def _write_new(path, content):
    if path is None or path.exists():
        return 0
    _write_json(path, content)
    return 1


def _restore_cell(key, cell, fidelity, out, seed, n_splits):
    dataset, repeat, fold, sampler = key
    # Images split once per seed, so their folder says one split.
    k = 1 if dataset in IMAGE_SETS else n_splits
    folder = fold_folder(out, dataset, seed, k, repeat, fold)
    paths = cell_paths(folder, sampler, cell["classifier"])
    written = sum(
        _write_new(paths.scores[row["classifier"]], _score_record(row))
        for _, row in cell.iterrows()
    )
    if fidelity is not None and not _sampler_failed(cell):
        # No rows: the sampler made no synthetic rows, an empty list of classes.
        rows = fidelity.get_group(key).iterrows() if key in fidelity.groups else ()
        records = [_fidelity_record(row) for _, row in rows]
        written += _write_new(paths.fidelity, records)
    return written


def restore_cache(scores_csv, out, *, samplers=None, seed=0, n_splits=5):
    """Write the cache cells of a finished run from its scores CSV.

    A later ``run_benchmark`` with the same ``out``, ``seed`` and
    ``n_splits`` then reads these cells instead of refitting their samplers.

    Parameters
    ----------
    scores_csv : str or path-like
        The ``<name>_scores.csv`` written by :func:`run_benchmark`. The
        fidelity cells come from the ``<name>_fidelity.csv`` beside it; without
        that file, only the scores are restored. A held-out C2ST column that
        the file lacks (it was added to skgan later) is restored as NaN, not
        measured: restore into another ``out``, or leave that sampler out,
        to have a run measure it.
    out : str or path-like
        Output folder of the run that will read the cells; they are written
        under ``out/cache/``.
    samplers : sequence of str or None, default=None
        Samplers whose cells are restored; None takes every sampler in the
        file except ``"gan"``. The GAN's cells are kept under a fingerprint of
        the code and defaults that made them, which the file does not record,
        so they cannot be restored.
    seed : int, default=0
        The ``seed`` of the run that wrote the file.
    n_splits : int, default=5
        Its folds per repeat (the image sets, one split per seed, aside).

    Returns
    -------
    n_written : int
        Number of cache files written; existing cells are never overwritten.

    Raises
    ------
    ValueError
        If the file lacks a column, ``samplers`` names ``"gan"`` or a sampler
        the file does not hold, or its folds are not those of ``n_splits``.

    See Also
    --------
    run_benchmark : Runs the protocol, reading the cache.

    Examples
    --------
    >>> from skgan.benchmark import restore_cache
    >>> restore_cache("benchmarks/results/keel_scores.csv",
    ...               "benchmarks/results")  # doctest: +SKIP
    """
    scores = _read(scores_csv, _SCORE_COLUMNS)
    held = list(pd.unique(scores["sampler"]))
    if samplers is None:
        samplers = [name for name in held if name != "gan"]
    unknown = [name for name in samplers if name == "gan" or name not in held]
    if unknown:
        raise ValueError(
            f"`samplers` must be among the non-GAN samplers of {scores_csv} "
            f"{[name for name in held if name != 'gan']}, got {list(samplers)!r}."
        )
    scores = scores[scores["sampler"].isin(samplers)]
    _check_folds(scores, n_splits, scores_csv)
    fidelity = _fidelity_table(scores_csv)
    return sum(
        _restore_cell(key, cell, fidelity, out, seed, n_splits)
        for key, cell in scores.groupby(_KEYS, sort=False)
    )
