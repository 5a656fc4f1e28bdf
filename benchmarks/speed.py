"""How fast is GANOversampler, and against CTGAN?

Every measurement runs in a fresh Python process (so each sees a cold start,
its own peak memory, and its own thread settings), one after the other, and
each figure is a ratio taken in this one run on this one machine:

1. default ``fit_resample`` on every KEEL table (one torch thread, the
   default ``n_threads="auto"``), and the same rows' CTGAN per minority
   class at CTGAN's defaults on yeast4, segment0, satimage and a 20,000 x 20
   ``make_classification`` table (10% minority), where the ``ctgan`` package
   imports;
2. sampling speed: rows per second of ``sample`` and of CTGAN's ``sample``
   (the median of three calls of 100,000 rows each), and the peak memory
   of ``sample(1_000_000)`` beyond its output;
3. oversubscription: a ``GridSearchCV`` over 8 candidates with ``n_jobs=2``
   against ``n_jobs=1``, and a default fit beside one CPU-bound process
   against the same fit on the idle machine;
4. cost against size: fit time and peak memory from 1,000 to 1,000,000 rows
   and from 10 to 500 columns, a quarter of them categorical;
5. a fresh process: ``import skgan``, ``skgan --help`` and one default fit.

Usage (from the repository root; ``--quick`` measures a few points only)::

    python benchmarks/speed.py [--quick]

writes ``benchmarks/results/speed.md`` and ``speed_scaling.png``.
"""

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from skgan.datasets import KEEL_SUITE
from skgan.report import markdown_table, provenance

RESULTS = Path(__file__).parent / "results"
CTGAN_TABLES = ("yeast4", "segment0", "satimage", "synthetic-20000x20")
ROWS = (1_000, 10_000, 100_000, 1_000_000)
COLUMNS = (10, 50, 200, 500)
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

# Code run in the child processes. Each prints one JSON record.
_PRELUDE = """
import json, resource, statistics, sys, time
import numpy as np, pandas as pd
from sklearn.datasets import make_classification

def table(name):
    if name.startswith("synthetic-"):
        rows, cols = map(int, name.split("-")[1].split("x"))
        return mixed(rows, cols)
    from skgan.datasets import load_keel
    return load_keel(name)

def mixed(rows, cols, minority=0.1):
    X, y = make_classification(n_samples=rows, n_features=cols,
        n_informative=max(2, cols // 2), weights=[1 - minority], random_state=0)
    X = pd.DataFrame(X, columns=[f"x{i}" for i in range(cols)])
    if cols >= 20:  # a quarter of the columns categorical, five levels each
        for column in X.columns[: cols // 4]:
            X[column] = pd.Categorical(pd.qcut(X[column], 5, labels=list("abcde")))
    return X, pd.Series(y, name="y")

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def done(**record):
    print(json.dumps(record))

def rows_per_s(sample, n=100_000, calls=3):
    # The median of a few calls: a single call's time varies by a fifth or more.
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        sample(n)
        times.append(time.perf_counter() - start)
    return n / statistics.median(times)
"""

_GAN_FIT = """
X, y = table({name!r})
from skgan import GANOversampler
start = time.perf_counter()
sampler = GANOversampler(random_state=0)
X_res, y_res = sampler.fit_resample(X, y)
fit = time.perf_counter() - start
minority = y.value_counts().idxmin()
done(fit_s=fit,
     sample_rows_per_s=rows_per_s(lambda n: sampler.sample(n, y=minority)),
     epochs=sampler.config_.epochs, peak_mb=peak_mb())
"""

_CTGAN_FIT = """
X, y = table({name!r})
from ctgan import CTGAN
from skgan.metrics import is_categorical
minority = y.value_counts().idxmin()
rows = X[np.asarray(y == minority)]
model = CTGAN()
model.set_random_state(0)
start = time.perf_counter()
model.fit(rows, discrete_columns=[c for c in X.columns if is_categorical(X[c])])
fit = time.perf_counter() - start
done(fit_s=fit, sample_rows_per_s=rows_per_s(model.sample))
"""

_MILLION = """
X, y = table("yeast4")
from skgan import GANOversampler
sampler = GANOversampler(random_state=0).fit(X, y)
before = peak_mb()
start = time.perf_counter()
rows = sampler.sample(1_000_000, y=1)
seconds = time.perf_counter() - start
output = rows.memory_usage(deep=True).sum() / 2**20
done(seconds=seconds, peak_before_mb=before, peak_after_mb=peak_mb(),
     output_mb=output)
"""

_GRID = """
X, y = table("yeast4")
from imblearn.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from skgan import GANOversampler
pipe = Pipeline([("gan", GANOversampler(random_state=0)),
                 ("clf", LogisticRegression(max_iter=500))])
grid = {{"gan__mode": ["conditional", "per_class"], "clf__C": [0.01, 0.1, 1, 10]}}
seconds = []
for _ in range(2):  # the second search reuses joblib's worker processes
    start = time.perf_counter()
    GridSearchCV(pipe, grid, cv=3, n_jobs={n_jobs}).fit(X, y)
    seconds.append(time.perf_counter() - start)
done(first=seconds[0], second=seconds[1])
"""

_BUSY = """
import multiprocessing
def spin():
    while True:
        pass
X, y = table("yeast4")
from skgan import GANOversampler
GANOversampler(random_state=0, epochs=2).fit(X, y)  # warm: imports and caches
times = {}
for load in ("idle", "busy"):
    other = multiprocessing.Process(target=spin, daemon=True)
    if load == "busy":
        other.start()
        time.sleep(1)
    start = time.perf_counter()
    GANOversampler(random_state=0).fit_resample(X, y)
    times[load] = time.perf_counter() - start
    if load == "busy":
        other.terminate()
done(**times)
"""

_SCALING = """
X, y = mixed({rows}, {cols})
from skgan import GANOversampler
from skgan._train import n_steps_per_epoch
start = time.perf_counter()
sampler = GANOversampler(random_state=0).fit(X, y)
config = sampler.config_
done(fit_s=time.perf_counter() - start, epochs=config.epochs,
     steps=config.epochs * n_steps_per_epoch({rows}, config.batch_size),
     peak_mb=peak_mb())
"""


_LARGE = """
if {kind!r} == "wide":
    X, y = mixed(1_000_000, 50)
else:  # one categorical column of 100,000 levels beside five numeric ones
    rng = np.random.default_rng(0)
    X = pd.DataFrame({{f"x{{i}}": rng.normal(size=300_000) for i in range(5)}})
    codes = rng.integers(0, 100_000, 300_000)
    X["city"] = pd.Series([f"c{{i}}" for i in codes], dtype="category")
    y = pd.Series((rng.random(300_000) < 0.1).astype(int))
input_mb = X.memory_usage(deep=True).sum() / 2**20
from skgan import GANOversampler
start = time.perf_counter()
X_res, y_res = GANOversampler(random_state=0).fit_resample(X, y)
done(fit_resample_s=time.perf_counter() - start, input_mb=input_mb,
     output_mb=X_res.memory_usage(deep=True).sum() / 2**20, peak_mb=peak_mb())
"""


def child(code, env=ONE_THREAD, python=sys.executable):
    """Run ``code`` in a fresh process; return its JSON record and wall time."""
    start = time.perf_counter()
    done = subprocess.run(
        [python, "-c", _PRELUDE + code],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    wall = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"child failed:\n{done.stderr[-2000:]}")
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "wall_s": wall}


def _has_ctgan(python):
    try:
        probe = subprocess.run([python, "-c", "import ctgan"], capture_output=True)
    except OSError:  # no such interpreter
        return False
    return probe.returncode == 0


def keel_and_ctgan(tables, ctgan_python):
    """Default fit per KEEL table, and GAN vs CTGAN on the CTGAN tables."""
    keel = pd.DataFrame(
        {name: child(_GAN_FIT.format(name=name)) for name in tables}
    ).T.rename_axis("table")
    rows = []
    for name in CTGAN_TABLES:
        gan = (
            keel.loc[name] if name in keel.index else child(_GAN_FIT.format(name=name))
        )
        row = {
            "table": name,
            "GAN fit s": gan["fit_s"],
            "GAN rows/s": gan["sample_rows_per_s"],
        }
        if ctgan_python:
            ctgan = child(_CTGAN_FIT.format(name=name), python=ctgan_python)
            row |= {
                "CTGAN fit s": ctgan["fit_s"],
                "CTGAN rows/s": ctgan["sample_rows_per_s"],
                "fit speed-up": ctgan["fit_s"] / gan["fit_s"],
                "sampling speed-up": gan["sample_rows_per_s"]
                / ctgan["sample_rows_per_s"],
            }
        rows.append(row)
    return keel, pd.DataFrame(rows).set_index("table")


def scaling(quick):
    """Fit time and peak memory against rows (20 columns) and columns."""
    rows = ROWS[:2] if quick else ROWS
    columns = COLUMNS[:2] if quick else COLUMNS
    grid = [(n, 20) for n in rows] + [(10_000, c) for c in columns if c != 20]
    records = []
    for n, c in grid:
        record = child(_SCALING.format(rows=n, cols=c))
        records.append({"rows": n, "columns": c, **record})
        print(records[-1], flush=True)
    return pd.DataFrame(records)


def plot_scaling(frame, path):
    """Two panels: fit time and peak memory against rows, and against columns."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    for ax, (axis, fixed) in zip(
        axes, (("rows", "columns"), ("columns", "rows")), strict=True
    ):
        part = frame[frame[fixed] == (20 if fixed == "columns" else 10_000)]
        part = part.sort_values(axis)
        ax.plot(part[axis], part["fit_s"], "o-", label="fit time (s)")
        ax.plot(part[axis], part["peak_mb"] / 1000, "s--", label="peak memory (GB)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(axis)
        ax.set_title(f"{fixed} fixed at {part[fixed].iloc[0]:,}")
        ax.legend()
        ax.grid(True, which="both", alpha=0.3)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def start_up():
    """Cold-start costs in fresh processes."""
    light = child(
        "start = time.perf_counter(); import skgan\n"
        "done(seconds=time.perf_counter() - start)"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "skgan", "--help"], capture_output=True)
    help_s = time.perf_counter() - start
    fit = child(
        "start = time.perf_counter()\nfrom skgan import GANOversampler\n"
        "imported = time.perf_counter() - start\nX, y = table('yeast4')\n"
        "start = time.perf_counter()\n"
        "GANOversampler(random_state=0).fit_resample(X, y)\n"
        "done(import_s=imported, fit_s=time.perf_counter() - start)"
    )
    return pd.DataFrame(
        {
            "seconds": {
                "`import skgan`": light["seconds"],
                "`python -m skgan --help` (whole process)": help_s,
                "`from skgan import GANOversampler` (imports torch)": fit["import_s"],
                "first default fit on yeast4 in that process": fit["fit_s"],
                "the whole process (python -c ...)": fit["wall_s"],
            }
        }
    ).rename_axis("what")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few tables and sizes")
    parser.add_argument(
        "--ctgan-python",
        default="ctgan-env/bin/python",
        help="python of an environment with ctgan (default: ctgan-env/bin/python)",
    )
    parser.add_argument("--out", default=str(RESULTS / "speed.md"))
    args = parser.parse_args(argv)
    command = shlex.join(["python", "benchmarks/speed.py", *sys.argv[1:]])
    started = provenance(command)
    clock = time.perf_counter()
    ctgan_python = args.ctgan_python if _has_ctgan(args.ctgan_python) else None
    tables = ("glass4", "yeast4") if args.quick else KEEL_SUITE
    keel, versus = keel_and_ctgan(tables, ctgan_python)
    million = child(_MILLION)
    grid = {n: child(_GRID.format(n_jobs=n)) for n in (1, 2)}
    busy = child(_BUSY)
    sizes = scaling(args.quick)
    large = pd.DataFrame(
        {
            label: child(_LARGE.format(kind=kind))
            for label, kind in (
                ("1,000,000 x 50", "wide"),
                ("300,000 rows, a 100,000-level column", "levels"),
            )
            if not args.quick
        }
    ).T.rename_axis("table")
    figure = Path(args.out).with_name("speed_scaling.png")
    plot_scaling(sizes, figure)
    fresh = start_up()
    lines = [
        "# Speed",
        "",
        *started,
        f"- Wall time of this run: {(time.perf_counter() - clock) / 60:.1f} min",
        "- Every measurement ran in a fresh process with OMP_NUM_THREADS=1, one "
        "after the other; the sampler trains on one torch thread "
        "(`n_threads='auto'`).",
        "",
        "## Default fit on the KEEL tables",
        "",
        f"Median `fit_resample` {statistics.median(keel['fit_s']):.2f} s "
        f"(min {keel['fit_s'].min():.2f}, max {keel['fit_s'].max():.2f}) over "
        f"{len(keel)} tables; the time includes the codec, the neighbour search "
        "and generating the rows.",
        "",
        markdown_table(
            keel[["fit_s", "epochs", "sample_rows_per_s", "peak_mb"]], digits=2
        ),
        "",
        "## Against CTGAN",
        "",
        "GANOversampler's default `fit_resample` on the whole table against "
        "CTGAN at its defaults trained on the same table's minority rows only; "
        "sampling speed is the median of three calls of 100,000 rows of the "
        "minority class."
        + ("" if ctgan_python else " `ctgan` did not import: CTGAN not measured."),
        "",
        markdown_table(versus, digits=2),
        "",
        "## A million rows",
        "",
        f"`sample(1_000_000, y=1)` on yeast4 took {million['seconds']:.2f} s; the "
        f"process's peak memory rose from {million['peak_before_mb']:.0f} MB to "
        f"{million['peak_after_mb']:.0f} MB for an output of "
        f"{million['output_mb']:.0f} MB (rows are generated in chunks).",
        "",
        "## Oversubscription",
        "",
        "- `GridSearchCV` of 8 candidates x 3 folds on yeast4, run twice in "
        f"one process: n_jobs=1 {grid[1]['first']:.1f} s then "
        f"{grid[1]['second']:.1f} s, n_jobs=2 {grid[2]['first']:.1f} s then "
        f"{grid[2]['second']:.1f} s. Ratio n_jobs=2 / n_jobs=1: "
        f"{grid[2]['first'] / grid[1]['first']:.2f} for the first search, whose "
        "two new worker processes each import torch (see A fresh process), and "
        f"{grid[2]['second'] / grid[1]['second']:.2f} for the second, which "
        "reuses them.",
        f"- A default fit on yeast4 beside one CPU-bound process: {busy['busy']:.2f} s "
        f"against {busy['idle']:.2f} s idle, ratio {busy['busy'] / busy['idle']:.2f}.",
        "",
        "## Cost against size",
        "",
        "make_classification tables with 10% minority, a quarter of the columns "
        "categorical (five levels) from 20 columns up. `epochs='auto'` trains "
        "for about the same number of steps up to the size where one epoch is "
        "more, then one epoch, so time grows with the rows beyond that.",
        "",
        markdown_table(sizes.set_index(["rows", "columns"]), digits=2),
        "",
        f"![fit time and memory]({figure.name})",
        "",
        "## Memory at scale",
        "",
        "`fit_resample` to balanced classes (10% minority); peak memory of the "
        "whole process against the sizes of the input and output tables. A "
        "categorical column keeps its 99 most frequent levels and pools the "
        "rest, so its model width is bounded.",
        "",
        markdown_table(large, digits=1) if len(large) else "(not measured)",
        "",
        "## A fresh process",
        "",
        markdown_table(fresh, digits=2),
        "",
    ]
    Path(args.out).write_text("\n".join(lines))
    print(f"wrote {args.out} and {figure}")


if __name__ == "__main__":
    main()
