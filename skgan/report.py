"""Tables, plots, markdown reports and provenance for benchmark results."""

import datetime
import os
import platform
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "markdown_table",
    "benchmark_markdown",
    "plot_mean_ranks",
    "plot_image_grid",
    "provenance",
]


def provenance(command):
    """Markdown lines saying what produced a result: command, date, machine, code.

    Parameters
    ----------
    command : str
        The command that produces the result, as a user would type it.

    Returns
    -------
    lines : list of str
        ``"- Command: ..."``, ``"- Date: ..."`` (now, UTC), ``"- Machine: ..."``
        (platform, CPU count and the versions of Python, torch, scikit-learn
        and imbalanced-learn) and ``"- Code: ..."`` (skgan's version and, in a
        git checkout, the commit and whether it has uncommitted changes).

    Examples
    --------
    >>> from skgan.report import provenance
    >>> provenance("python benchmarks/images.py --report")[0]
    '- Command: `python benchmarks/images.py --report`'
    """
    return [
        f"- Command: `{command}`",
        f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}",
        f"- Machine: {_machine()}",
        f"- Code: {_code_version()}",
    ]


def _machine():
    import imblearn
    import sklearn
    import torch

    return (
        f"{platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}, torch {torch.__version__}, "
        f"scikit-learn {sklearn.__version__}, imbalanced-learn {imblearn.__version__}"
    )


def _git(*args):
    try:
        return subprocess.run(
            ["git", *args],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _code_version():
    """skgan version and, in a git checkout, the commit and whether it was edited."""
    from . import __version__

    commit = _git("rev-parse", "--short", "HEAD")
    if not commit:
        return f"skgan {__version__}"
    edited = " + uncommitted changes" if _git("status", "--porcelain", ".") else ""
    return f"skgan {__version__} (git {commit}{edited})"


def _cell(value, digits):
    if isinstance(value, (float, np.floating)):
        return "" if np.isnan(value) else f"{value:.{digits}f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(frame, *, digits=3):
    """Render a DataFrame as a GitHub-flavoured markdown table.

    Parameters
    ----------
    frame : DataFrame
        Table to render; a named or multi-level index becomes leading columns.
    digits : int, default=3
        Decimals shown for float cells; NaN is left blank.

    Returns
    -------
    text : str
        The markdown table, one line per row, ending with a newline.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgan.report import markdown_table
    >>> print(markdown_table(pd.DataFrame({"a": [1.0], "b": ["x"]})), end="")
    | a | b |
    |---|---|
    | 1.000 | x |
    """
    if any(name is not None for name in frame.index.names):
        frame = frame.reset_index()
    header = [_cell(column, digits) for column in frame.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += [
        "| " + " | ".join(_cell(v, digits) for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join(lines) + "\n"


def plot_mean_ranks(rank_table, path, *, title="Mean rank per classifier and metric"):
    """Save a heatmap of mean sampler ranks, with the overall mean rank on top.

    Parameters
    ----------
    rank_table : DataFrame
        Mean ranks, one row per (classifier, metric) and one column per
        sampler, as returned by :func:`skgan.benchmark.rank_table`.
    path : str or path-like
        Where to write the PNG.
    title : str, default="Mean rank per classifier and metric"
        Figure title.

    Returns
    -------
    path : str or path-like
        The path written.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgan.report import plot_mean_ranks
    >>> ranks = pd.DataFrame({"none": [2.0], "smote": [1.0]},
    ...                      index=pd.MultiIndex.from_tuples([("lr", "f1")]))
    >>> plot_mean_ranks(ranks, "ranks.png")  # doctest: +SKIP
    'ranks.png'
    """
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on benchmark machines
    import matplotlib.pyplot as plt

    values = rank_table.to_numpy(dtype=float)
    labels = [
        " / ".join(map(str, key)) if isinstance(key, tuple) else str(key)
        for key in rank_table.index
    ]
    height = 1.5 + 0.3 * (len(labels) + 3)
    fig, (top, grid) = plt.subplots(
        2,
        1,
        figsize=(1.2 * values.shape[1] + 3, height),
        gridspec_kw={"height_ratios": [3, len(labels)]},
        constrained_layout=True,
    )
    overall = np.nanmean(values, axis=0)
    top.bar(rank_table.columns.astype(str), overall, color="tab:blue")
    top.set_ylabel("overall\nmean rank")
    top.set_title(title)
    image = grid.imshow(values, cmap="RdYlGn_r", aspect="auto")
    grid.set_xticks(range(values.shape[1]), rank_table.columns.astype(str))
    grid.set_yticks(range(len(labels)), labels, fontsize=8)
    for (row, column), value in np.ndenumerate(values):
        grid.text(column, row, f"{value:.2f}", ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=grid, label="mean rank (1 = best)")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _mean_std(summary, column):
    mean, std = summary[(column, "mean")], summary[(column, "std")].fillna(0.0)
    return mean.map("{:.3f}".format) + " ± " + std.map("{:.3f}".format)


def _dataset_section(dataset, scores, metrics):
    columns = [*metrics, "fit_time"]
    summary = scores.groupby(["classifier", "sampler"], sort=False)[columns].agg(
        ["mean", "std"]
    )
    table = pd.DataFrame({column: _mean_std(summary, column) for column in columns})
    text = f"### {dataset}\n\n" + markdown_table(
        table.rename(columns={"fit_time": "fit time (s)"})
    )
    errors = scores.dropna(subset=["error"]).groupby(["sampler", "error"]).size()
    for (sampler, error), count in errors.items():
        text += f"\n- `{sampler}` failed {count}x: {error[:300]}"
    return text + "\n"


def _fidelity_section(fidelity, columns):
    if fidelity.empty:
        return ""
    per_dataset = fidelity.groupby(["dataset", "sampler"], sort=False)[
        list(columns)
    ].mean()
    overall = per_dataset.groupby("sampler", sort=False).mean()
    return "\n".join(
        [
            "## Fidelity of the synthetic rows\n",
            "Synthetic rows of each resampled class against the real training rows "
            "of that class (`skgan.metrics`), averaged over classes and folds: "
            "C2ST ROC-AUC (0.5 = indistinguishable; well below 0.5: synthetic rows "
            "hug real ones, as copies do), mean "
            "per-column KS / total-variation distance, correlation-matrix "
            "distance, DCR ratio (median distance to the closest real row over "
            "the real rows' own nearest-neighbour spacing; 0 = copies) and "
            "exact-copy rate.\n",
            "Mean over datasets:\n",
            markdown_table(overall),
            "Per dataset:\n",
            markdown_table(per_dataset),
        ]
    )


def benchmark_markdown(
    name, header, scores, fidelity, ranks, *, metrics, fidelity_columns
):
    """Write the markdown report of a benchmark run.

    Parameters
    ----------
    name : str
        Name of the run, the report's title and the stem of its files.
    header : str
        Markdown lines under the title: provenance and settings.
    scores : DataFrame
        One row per (dataset, repeat, fold, sampler, classifier) with the
        ``metrics``, ``fit_time`` and ``error`` columns.
    fidelity : DataFrame
        One row per (dataset, repeat, fold, sampler, class) with the
        ``fidelity_columns``; may be empty.
    ranks : DataFrame
        Mean ranks per (classifier, metric) and sampler, as
        :func:`skgan.benchmark.rank_table` returns them, optionally joined
        with a ``friedman_p`` column.
    metrics : sequence of str
        Metric columns of ``scores``.
    fidelity_columns : sequence of str
        Score columns of ``fidelity``.

    Returns
    -------
    text : str
        Mean-rank table with the overall mean rank, sampler fit times,
        fidelity and one mean ± std table per dataset.

    Examples
    --------
    >>> from skgan.report import benchmark_markdown
    >>> text = benchmark_markdown("keel", "", scores, fidelity, ranks,
    ...     metrics=["f1"], fidelity_columns=["c2st_auc"])  # doctest: +SKIP
    """
    samplers = ranks.drop(columns="friedman_p", errors="ignore")
    overall = (
        samplers.mean()
        .to_frame("mean over all rows")
        .T.rename_axis("overall mean rank")
    )
    keys = ["dataset", "classifier", "sampler"]
    fit_times = (
        scores.groupby(keys, sort=False)["fit_time"]
        .mean()
        .reset_index()
        .pivot_table(index="dataset", columns="sampler", values="fit_time", sort=False)
    )
    return "\n".join(
        [
            f"# Benchmark: {name}\n",
            header,
            "## Mean rank per classifier and metric (1 = best)\n",
            "Rank of each sampler within a dataset, averaged over datasets; ties "
            "share the average rank, a failed sampler ranks last. `friedman_p`: "
            f"Friedman test across datasets. Plot: `{name}_ranks.png`.\n",
            markdown_table(ranks, digits=2),
            markdown_table(overall, digits=2),
            "## Sampler fit time (s, mean over folds)\n",
            markdown_table(fit_times, digits=2),
            _fidelity_section(fidelity, fidelity_columns),
            "## Per dataset (mean ± std over repeats and folds)\n",
            *(
                _dataset_section(dataset, group, metrics)
                for dataset, group in scores.groupby("dataset", sort=False)
            ),
        ]
    )


def plot_image_grid(
    rows, path, *, row_labels, image_shape=(8, 8), value_range=(0, 16), title=None
):
    """Save a grid of images, one labelled row per group.

    Each row label sits in a column of its own, left of the images, so it
    never covers them.

    Parameters
    ----------
    rows : sequence of sequence of array-like or None
        The images of each row, flattened or shaped; None leaves a cell blank.
    path : str or path-like or None
        Where to write the PNG; None leaves the figure open and returns it.
    row_labels : sequence of str
        One label per row.
    image_shape : tuple of int, default=(8, 8)
        Shape each image is drawn in.
    value_range : tuple of float, default=(0, 16)
        Pixel values drawn white and black.
    title : str or None, default=None
        Figure title.

    Returns
    -------
    path_or_figure : str or path-like or matplotlib.figure.Figure
        The path written, or the open figure when ``path`` is None.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgan.report import plot_image_grid
    >>> X = load_digits().data
    >>> plot_image_grid([X[:3], X[3:6]], "grid.png",
    ...                 row_labels=["a", "b"])  # doctest: +SKIP
    'grid.png'
    """
    import matplotlib.pyplot as plt

    n_columns = max(len(row) for row in rows)
    label_width = 2.5  # in image widths: room for a label such as "9: 150"
    fig, axes = plt.subplots(
        len(rows),
        n_columns + 1,
        figsize=(0.5 * (n_columns + label_width), 0.5 * len(rows) + 0.6),
        gridspec_kw={"width_ratios": [label_width] + [1] * n_columns},
        squeeze=False,
    )
    for images, label, row in zip(rows, row_labels, axes, strict=True):
        for ax in row:
            ax.set_axis_off()
        row[0].text(1.0, 0.5, label, ha="right", va="center", fontsize=8)
        for ax, image in zip(row[1:], images, strict=False):
            if image is not None:
                ax.imshow(
                    np.reshape(image, image_shape),
                    cmap="gray_r",
                    vmin=value_range[0],
                    vmax=value_range[1],
                )
    if title:
        fig.suptitle(title)
    if path is None:
        return fig
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path
