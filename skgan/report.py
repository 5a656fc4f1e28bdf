"""Tables, plots and provenance for benchmark results."""

import datetime
import os
import platform
import subprocess
from pathlib import Path

import numpy as np

__all__ = ["markdown_table", "plot_mean_ranks", "provenance"]


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
