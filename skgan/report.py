"""Tables, plots and reports: benchmark results, training history, synthetic rows.

The quality report compares synthetic rows with real ones class by class in one
self-contained HTML file.
"""

import base64
import datetime
import html
import io
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
    "quality_report",
    "plot_history",
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
            "hug real ones, as copies do), the same C2ST against the class's rows "
            "of the test fold, which the sampler never saw (`holdout_c2st_auc`: "
            "copies score like fresh draws there), mean "
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
    name, header, scores, fidelity, ranks, *, metrics, fidelity_columns, paired=None
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
    paired : DataFrame or None, default=None
        The GAN against each other sampler, as
        :func:`skgan.benchmark.paired_comparison` returns it; None leaves
        that section out.

    Returns
    -------
    text : str
        Mean-rank table with the overall mean rank, the paired comparison,
        sampler fit times, fidelity and one mean ± std table per dataset.

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
            *([] if paired is None else _paired_section(paired)),
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


def _paired_section(paired):
    return [
        "## The GAN against each other sampler, paired over datasets\n",
        "Per classifier, a dataset's score is the mean of the four metrics over "
        "repeats and folds. `difference`: the GAN's score minus the other's, "
        "averaged over datasets; `wins` and `losses`: datasets where the GAN "
        "scores higher or lower; `wilcoxon_p`: two-sided Wilcoxon signed-rank "
        "test over datasets; `holm_p`: the same adjusted (Holm) for the "
        "samplers compared per classifier.\n",
        markdown_table(paired, digits=3),
    ]


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


# Panels per marginal grid: more would shrink each plot below readability.
_MAX_MARGINALS = 12
# Numeric columns in the correlation heatmap, for the same reason.
_MAX_HEATMAP = 25
# Points per table in the PCA scatter: more only hide each other.
_MAX_SCATTER = 2000
# Levels drawn per categorical column; the rest are pooled as "other".
_MAX_LEVELS = 8
_REAL, _SYNTHETIC = "tab:blue", "tab:orange"

_SCORE_READINGS = {
    "C2ST AUC": "ROC-AUC of a gradient-boosting classifier trained to tell real "
    "from synthetic rows (5-fold): 0.5 means it cannot tell them apart, 1.0 that "
    "every synthetic row gives itself away, and well below 0.5 flags synthetic "
    "rows that copy or hug real ones.",
    "DCR ratio": "Median distance from a synthetic row to its closest real row, "
    "over the median distance between neighbouring real rows: near 1 the "
    "synthetic rows are as new as a fresh real sample would be, near 0 they hug "
    "or copy real rows.",
    "exact-copy rate": "Share of synthetic rows identical to some real row: a "
    "generator that does not memorise its training rows keeps it near 0.",
}


def _require_matplotlib():
    """Import matplotlib, or say which package and extra provide it."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as error:
        raise ImportError(
            "skgan's plots and quality report need matplotlib: "
            "pip install matplotlib, or install skgan with its 'bench' extra."
        ) from error


def plot_history(sampler, ax=None):
    """Plot the discriminator and generator losses of a fitted sampler per epoch.

    Parameters
    ----------
    sampler : GANOversampler
        A fitted sampler; its ``history_`` holds the losses.
    ax : matplotlib.axes.Axes or None, default=None
        Axes to draw on; None draws on a new figure.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on: a solid discriminator line and a dashed generator
        line, one pair per trained GAN (one per oversampled class with
        ``mode="per_class"``, in its own colour).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skgan import GANOversampler, plot_history
    >>> X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)
    >>> sampler = GANOversampler(epochs=5, random_state=0).fit(X, y)
    >>> ax = plot_history(sampler)  # doctest: +SKIP
    """
    _require_matplotlib()
    import matplotlib.pyplot as plt
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(sampler, "history_")
    history = sampler.history_
    runs = history.items() if isinstance(history, dict) else [(None, history)]
    if ax is None:
        _, ax = plt.subplots(layout="constrained")
    for index, (label, records) in enumerate(runs):
        prefix = "" if label is None else f"class {label}: "
        epochs = [record["epoch"] for record in records]
        for key, name, style in (
            ("d_loss", "discriminator", "-"),
            ("g_loss", "generator", "--"),
        ):
            ax.plot(
                epochs,
                [record[key] for record in records],
                linestyle=style,
                color=f"C{index}",
                label=prefix + name,
            )
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean loss")
    ax.legend()
    return ax


def quality_report(real, synthetic, *, target, output=None, random_state=0):
    """Build a self-contained HTML report comparing synthetic rows with real ones.

    For every class that has synthetic rows, the report compares them with
    the real rows of that class: the marginal of each column (histograms for
    numeric columns, level shares for categorical ones, at most 12 columns,
    those that differ most), the difference of the numeric columns'
    correlation matrices, a scatter of both tables on the two principal
    components of the real rows, and three scores from :mod:`skgan.metrics`
    (:func:`~skgan.metrics.c2st_auc`, :func:`~skgan.metrics.dcr_ratio`,
    :func:`~skgan.metrics.exact_copy_rate`), each with how to read it. The
    figures are PNG images inlined in the page, so the one file can be
    mailed or archived as it is.

    Parameters
    ----------
    real : DataFrame
        Real rows, with the ``target`` column.
    synthetic : DataFrame
        Synthetic rows only, with the same columns as ``real``.
    target : str
        Name of the class-label column.
    output : str or path-like or None, default=None
        Where to write the HTML file; None writes nothing.
    random_state : int, default=0
        Seeds the two-sample test's folds and classifier and the choice of
        the points drawn in the scatter.

    Returns
    -------
    html : str
        The report as one HTML document.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgan.report import quality_report
    >>> real = pd.DataFrame({"x": range(20), "y": [0] * 10 + [1] * 10})
    >>> fake = pd.DataFrame({"x": [2.5, 3.5, 4.5, 6.5, 7.5], "y": [1] * 5})
    >>> html = quality_report(real, fake, target="y")
    >>> html.startswith("<!DOCTYPE html>")
    True
    """
    _require_matplotlib()
    real, synthetic = _report_tables(real, synthetic, target)
    sections = [
        _class_section(
            real.loc[real[target] == label].drop(columns=target),
            synthetic.loc[synthetic[target] == label].drop(columns=target),
            label,
            random_state,
        )
        for label in pd.unique(synthetic[target])
    ]
    page = _html_page(_overview(real, synthetic, target), sections)
    if output is not None:
        Path(output).write_text(page, encoding="utf-8")
    return page


def _report_tables(real, synthetic, target):
    """Both tables with the real column order, after checking what the report needs."""
    for name, table in (("real", real), ("synthetic", synthetic)):
        if not isinstance(table, pd.DataFrame):
            raise TypeError(
                f"`{name}` must be a DataFrame, got {type(table).__name__}."
            )
        if target not in table.columns:
            raise ValueError(f"target column {target!r} is not in `{name}`.")
    if set(real.columns) != set(synthetic.columns):
        raise ValueError(
            "`real` and `synthetic` must have the same columns; they differ in "
            f"{sorted(map(str, set(real.columns) ^ set(synthetic.columns)))}."
        )
    if len(synthetic) == 0:
        raise ValueError("`synthetic` has no rows to report on.")
    return real.reset_index(drop=True), synthetic[real.columns].reset_index(drop=True)


def _class_section(real, synthetic, label, random_state):
    """HTML of one class: scores, marginals, correlations and projection."""
    from .metrics import column_distances

    heading = (
        f"<h2>Class {html.escape(str(label))}</h2>\n"
        f"<p>{len(real)} real rows, {len(synthetic)} synthetic rows.</p>"
    )
    if len(real) < 2:
        return heading + "\n<p>Fewer than two real rows: nothing to compare.</p>"
    distances = column_distances(real, synthetic)
    categorical = [c for c, kind in distances.attrs["kind"].items() if kind == "tv"]
    parts = [
        heading,
        _scores_table(real, synthetic, random_state),
        _marginals_html(real, synthetic, distances),
        _correlation_html(real, synthetic, categorical),
        "<h3>Rows in two dimensions</h3>\n<p>Real and synthetic rows on the first "
        "two principal components of the real rows (numeric columns "
        "standardised, categorical columns one-hot encoded): synthetic rows "
        "should cover the real cloud without leaving it.</p>",
        _png(_projection_figure(real, synthetic, categorical, random_state)),
    ]
    return "\n".join(parts)


def _scores_table(real, synthetic, random_state):
    from .metrics import c2st_auc, dcr_ratio, exact_copy_rate

    # The two-sample test needs as many rows in each table as it has folds.
    n_splits = min(5, len(real), len(synthetic))
    scores = {
        "C2ST AUC": (
            c2st_auc(real, synthetic, n_splits=n_splits, random_state=random_state)
            if n_splits >= 2
            else np.nan
        ),
        "DCR ratio": dcr_ratio(real, synthetic),
        "exact-copy rate": exact_copy_rate(real, synthetic),
    }
    rows = "".join(
        f"<tr><th>{name}</th><td>{_score(value)}</td>"
        f"<td class='text'>{_SCORE_READINGS[name]}</td></tr>"
        for name, value in scores.items()
    )
    return f"<h3>Scores</h3>\n<table>{rows}</table>"


def _score(value):
    # NaN: too few rows for the score; inf: a DCR ratio over duplicated rows.
    return f"{value:.3f}" if np.isfinite(value) else "n/a"


def _marginals_html(real, synthetic, distances):
    kinds = distances.attrs["kind"]
    ordered = distances.sort_values(ascending=False, kind="stable")
    shown = list(ordered.index[:_MAX_MARGINALS])
    note = (
        f" The {len(shown)} of {len(ordered)} columns whose marginals differ "
        "most are shown; the table below lists every column."
        if len(ordered) > len(shown)
        else ""
    )
    rows = "".join(
        f"<tr><th>{html.escape(str(column))}</th><td>{_DISTANCE_NAMES[kinds[column]]}"
        f"</td><td>{value:.3f}</td></tr>"
        for column, value in ordered.items()
    )
    return (
        "<h3>Columns one by one</h3>\n<p>Histograms of numeric columns and level "
        "shares of categorical ones, real against synthetic. Each title gives the "
        "column's distance: Kolmogorov-Smirnov (KS) for numbers, total variation "
        f"(TV) for categories; 0 means equal marginals, 1 disjoint ones.{note}</p>\n"
        + _png(_marginals_figure(real, synthetic, shown, distances))
        + f"\n<details><summary>Distance of every column</summary><table>{rows}"
        "</table></details>"
    )


_DISTANCE_NAMES = {"ks": "KS", "tv": "TV"}


def _marginals_figure(real, synthetic, columns, distances):
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    n_cols = min(4, len(columns))
    n_rows = -(-len(columns) // n_cols)
    # About the page's width at 100 dpi, so that the browser does not shrink
    # the tick labels.
    fig = Figure(figsize=(2.8 * n_cols, 2.3 * n_rows + 0.4), layout="constrained")
    axes = fig.subplots(n_rows, n_cols, squeeze=False).ravel()
    for ax, column in zip(axes, columns, strict=False):
        kind = distances.attrs["kind"][column]
        draw = _draw_levels if kind == "tv" else _draw_histogram
        draw(ax, real[column], synthetic[column])
        ax.set_title(
            f"{_short(column, 30)}\n{_DISTANCE_NAMES[kind]} {distances[column]:.2f}",
            fontsize=9,
        )
        ax.tick_params(labelsize=8)
    for ax in axes[len(columns) :]:
        ax.set_axis_off()
    fig.legend(
        handles=[
            Patch(color=_REAL, label="real"),
            Patch(color=_SYNTHETIC, label="synthetic"),
        ],
        loc="outside upper center",
        ncols=2,
        frameon=False,
    )
    return fig


def _draw_histogram(ax, real, synthetic):
    from matplotlib.ticker import MaxNLocator

    from ._codec import numeric_values

    values = [numeric_values(column, column.name) for column in (real, synthetic)]
    present = [v[~np.isnan(v)] for v in values]
    if not all(len(v) for v in present):
        ax.text(0.5, 0.5, "no values", ha="center", va="center", transform=ax.transAxes)
        return
    bins = _bins(np.concatenate(present))
    if not np.isscalar(bins) and np.all(np.diff(bins) == 1):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.hist(present[0], bins=bins, density=True, color=_REAL, alpha=0.55)
    ax.hist(
        present[1], bins=bins, density=True, color=_SYNTHETIC, histtype="step", lw=2
    )
    ax.set_yticks([])
    missing = [np.isnan(v).mean() for v in values]
    if any(missing):
        ax.text(
            0.98,
            0.97,
            f"missing {missing[0]:.0%} / {missing[1]:.0%}",
            ha="right",
            va="top",
            fontsize=7,
            transform=ax.transAxes,
        )


def _bins(values):
    """Histogram edges: one bin per integer for small integer ranges, else 'auto'."""
    low, high = values.min(), values.max()
    if np.all(values == np.round(values)) and high - low <= 40:
        return np.arange(low - 0.5, high + 1.5)
    edges = np.histogram_bin_edges(values, bins="auto")
    return edges if len(edges) <= 41 else 40


def _draw_levels(ax, real, synthetic):
    shares = pd.DataFrame(
        {"real": _level_shares(real), "synthetic": _level_shares(synthetic)}
    ).fillna(0.0)
    shares = shares.loc[shares.sum(axis=1).sort_values(ascending=False).index]
    if len(shares) > _MAX_LEVELS:
        top = shares.iloc[: _MAX_LEVELS - 1]
        shares = pd.concat([top, (1 - top.sum()).to_frame("other").T])
    x = np.arange(len(shares))
    ax.bar(x - 0.2, shares["real"], 0.4, color=_REAL)
    ax.bar(x + 0.2, shares["synthetic"], 0.4, color=_SYNTHETIC)
    labels = [_short(level, 12) for level in shares.index]
    ax.set_xticks(x, labels, rotation=30, ha="right", rotation_mode="anchor")
    ax.yaxis.set_major_formatter("{x:.0%}")


def _level_shares(column):
    return _level_strings(column).value_counts(normalize=True)


def _level_strings(column):
    """A categorical column as strings, missing values as a level of its own."""
    return column.astype(object).where(column.notna(), "<missing>").astype(str)


def _short(name, width):
    name = str(name)
    return name if len(name) <= width else name[: width - 1] + "…"


def _correlation_html(real, synthetic, categorical):
    numeric = [column for column in real.columns if column not in categorical]
    if len(numeric) < 2:
        return ""
    difference = _correlations(synthetic[numeric]) - _correlations(real[numeric])
    note = ""
    if len(numeric) > _MAX_HEATMAP:
        worst = difference.abs().max().sort_values(ascending=False, kind="stable")
        kept = [column for column in numeric if column in worst.index[:_MAX_HEATMAP]]
        difference = difference.loc[kept, kept]
        note = (
            f" The {_MAX_HEATMAP} of {len(numeric)} numeric columns with the "
            "largest differences are shown."
        )
    return (
        "<h3>Correlations</h3>\n<p>Pearson correlation between numeric columns in "
        "the synthetic rows minus that in the real rows: white means the pair is "
        "as correlated as in the real data, red more, blue less (the colour scale "
        "follows the largest difference); grey means "
        f"undefined (a column constant in one table).{note}</p>\n"
        + _png(_correlation_figure(difference))
    )


def _correlations(frame):
    from ._codec import numeric_values

    values = {column: numeric_values(frame[column], column) for column in frame}
    return pd.DataFrame(values).corr()


def _correlation_figure(difference):
    import matplotlib
    from matplotlib.figure import Figure

    n = len(difference)
    fig = Figure(figsize=(0.3 * n + 3.4, 0.3 * n + 2.4), layout="constrained")
    ax = fig.subplots()
    colours = matplotlib.colormaps["RdBu_r"].with_extremes(bad="0.8")
    values = difference.to_numpy()
    # The scale follows the largest difference, in steps of 0.1 and at least
    # 0.2, so that small differences show without looking like large ones.
    largest = np.nanmax(np.abs(values), initial=0.0)
    limit = max(0.2, np.ceil(largest * 10) / 10)
    image = ax.imshow(values, cmap=colours, vmin=-limit, vmax=limit)
    labels = [_short(column, 24) for column in difference.columns]
    ax.set_xticks(range(n), labels, rotation=90, fontsize=8)
    ax.set_yticks(range(n), labels, fontsize=8)
    if n <= 12:
        for (row, column), value in np.ndenumerate(values):
            if np.isfinite(value):
                ax.text(
                    column, row, f"{value:.2f}", ha="center", va="center", fontsize=7
                )
    fig.colorbar(image, ax=ax, label="synthetic − real correlation", shrink=0.8)
    return fig


def _projection_figure(real, synthetic, categorical, random_state):
    from matplotlib.figure import Figure
    from sklearn.decomposition import PCA

    encoded_real, encoded_syn = _standardised_one_hot(real, synthetic, categorical)
    pca = PCA(n_components=min(2, *encoded_real.shape)).fit(encoded_real)
    # A single component still gets a second, flat axis to draw on.
    points = [
        np.pad(pca.transform(m), ((0, 0), (0, 2 - pca.n_components_)))
        for m in (encoded_real, encoded_syn)
    ]
    rng = np.random.default_rng(random_state)
    fig = Figure(figsize=(6.4, 4.6), layout="constrained")
    ax = fig.subplots()
    # Synthetic rows usually outnumber real ones: drawn first, they leave the
    # real rows visible on top.
    for rows, colour, name, alpha in (
        (points[1], _SYNTHETIC, "synthetic", 0.4),
        (points[0], _REAL, "real", 0.8),
    ):
        label = f"{name}: {len(rows)} rows"
        if len(rows) > _MAX_SCATTER:
            rows = rows[rng.choice(len(rows), _MAX_SCATTER, replace=False)]
            label += f", {_MAX_SCATTER} drawn"
        ax.scatter(
            *rows.T, s=12, alpha=alpha, color=colour, edgecolors="none", label=label
        )
    ratios = [*pca.explained_variance_ratio_, 0.0]
    ax.set_xlabel(f"first component ({ratios[0]:.0%} of the real variance)")
    ax.set_ylabel(f"second component ({ratios[1]:.0%})")
    ax.legend(markerscale=2)
    return fig


def _standardised_one_hot(real, synthetic, categorical):
    """Both tables as floats: numbers standardised by the real rows, levels one-hot.

    Missing numbers sit at the real mean; missing levels are a level of their own.
    """
    from ._codec import numeric_values

    blocks_real, blocks_syn = [], []
    for column in real.columns:
        if column in categorical:
            levels = pd.Index(
                np.union1d(
                    _level_strings(real[column]), _level_strings(synthetic[column])
                )
            )
            for table, blocks in ((real, blocks_real), (synthetic, blocks_syn)):
                codes = levels.get_indexer(_level_strings(table[column]))
                blocks.append(np.eye(len(levels))[codes])
            continue
        a, b = (numeric_values(t[column], column) for t in (real, synthetic))
        centre = np.nanmean(a) if np.isfinite(a).any() else 0.0
        scale = np.nanstd(a) if np.nanstd(a) > 0 else 1.0
        for values, blocks in ((a, blocks_real), (b, blocks_syn)):
            blocks.append(np.nan_to_num((values[:, None] - centre) / scale))
    return np.hstack(blocks_real), np.hstack(blocks_syn)


def _png(fig):
    """The figure as an inline PNG ``<img>`` tag."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="figure" src="data:image/png;base64,{data}">'


def _overview(real, synthetic, target):
    counts = (
        pd.DataFrame(
            {
                "real rows": real[target].value_counts(sort=False),
                "synthetic rows": synthetic[target].value_counts(sort=False),
            }
        )
        .fillna(0)
        .astype(int)
    )
    rows = "".join(
        f"<tr><th>{html.escape(str(label))}</th><td>{n_real}</td><td>{n_syn}</td></tr>"
        for label, (n_real, n_syn) in counts.iterrows()
    )
    return (
        f"<p>Target column <code>{html.escape(str(target))}</code>. Each section "
        "below compares the synthetic rows of one class with the real rows of the "
        "same class.</p>\n<table><tr><th>class</th><th>real rows</th>"
        f"<th>synthetic rows</th></tr>{rows}</table>"
    )


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }
h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.6em; text-align: right; }
th { text-align: left; background: #f6f6f6; }
td.text { text-align: left; max-width: 48em; }
img { max-width: 100%; display: block; margin: 0.5em 0; }
details { margin: 0.5em 0 1em; }
"""


def _html_page(overview, sections):
    from . import __version__

    body = "\n".join([overview, *sections])
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>skgan quality report</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<h1>Quality of synthetic rows</h1>\n{body}\n"
        f"<p><small>skgan {__version__}</small></p>\n</body>\n</html>\n"
    )
