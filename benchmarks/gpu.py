"""GANOversampler on a CUDA GPU against the CPU (a check of a few minutes).

On a 20,000 x 20 and a 1,000,000 x 20 ``make_classification`` table (10%
minority, a quarter of the columns categorical) it times a default fit on the
CPU (one torch thread, the default) and on CUDA, checks that CUDA's synthetic
minority rows match the CPU's statistically (C2ST AUC between the two sets of
rows, 0.5 = indistinguishable), and that a sampler trained on CUDA pickles and
loads in a process that sees no GPU. A second CUDA fit with the same seed on
the 20,000-row table says whether CUDA repeats its rows exactly, as the CPU
does. It also times a default fit on the imbalanced 28x28 MNIST training set
of the mnist suite (1,056 images, about 2000 steps) on both devices.

Usage, on a machine with a CUDA GPU::

    python benchmarks/gpu.py

writes ``benchmarks/results/gpu.md``. The 1M-row CPU fit is the longest part;
``--skip-cpu-million`` leaves it out.
"""

import argparse
import os
import pickle
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.datasets import make_classification

from skgan import GANOversampler
from skgan.datasets import load_imbalanced_mnist
from skgan.metrics import c2st_auc
from skgan.report import markdown_table, provenance

RESULTS = Path(__file__).parent / "results"


def table(rows, columns=20, minority=0.1):
    """A mixed table: a quarter of the columns categorical with five levels."""
    X, y = make_classification(
        n_samples=rows,
        n_features=columns,
        n_informative=columns // 2,
        weights=[1 - minority],
        random_state=0,
    )
    X = pd.DataFrame(X, columns=[f"x{i}" for i in range(columns)])
    for column in X.columns[: columns // 4]:
        X[column] = pd.Categorical(pd.qcut(X[column], 5, labels=list("abcde")))
    return X, pd.Series(y, name="y")


def timed_fit(X, y, device, random_state=0, **params):
    """A default fit on ``device`` and its wall time, the device synchronised."""
    start = time.perf_counter()
    sampler = GANOversampler(device=device, random_state=random_state, **params)
    sampler.fit(X, y)
    if device == "cuda":
        torch.cuda.synchronize()
    return sampler, time.perf_counter() - start


def loads_without_gpu(sampler):
    """Whether the pickled sampler samples in a process with CUDA hidden."""
    with tempfile.NamedTemporaryFile(suffix=".pkl", delete=False) as file:
        pickle.dump(sampler, file)
    code = (
        "import pickle, sys, torch\n"
        "assert not torch.cuda.is_available()\n"
        f"sampler = pickle.load(open({file.name!r}, 'rb'))\n"
        "print(len(sampler.sample(100, y=1)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
    )
    os.unlink(file.name)
    return done.returncode == 0 and done.stdout.strip() == "100", done.stderr[-500:]


def _c2st(a, b):
    """C2ST AUC between 2,000 minority rows drawn by each of two samplers."""
    return c2st_auc(a.sample(2_000, y=1), b.sample(2_000, y=1), random_state=0)


def _same_rows(a, b):
    """Whether two fitted samplers draw byte-identical rows."""
    return a.sample(2_000, y=1).equals(b.sample(2_000, y=1))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-cpu-million", action="store_true")
    parser.add_argument("--out", default=str(RESULTS / "gpu.md"))
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        sys.exit("gpu.py needs a CUDA GPU; torch sees none.")
    command = shlex.join(["python", "benchmarks/gpu.py", *sys.argv[1:]])
    started = provenance(command)
    start_up = timed_fit(*table(1_000), "cuda", epochs=1)[1]
    rows = []
    for n in (20_000, 1_000_000):
        X, y = table(n)
        cuda, cuda_s = timed_fit(X, y, "cuda")
        record = {"rows": n, "CUDA fit s": cuda_s}
        if n == 20_000:
            repeats = _same_rows(cuda, timed_fit(X, y, "cuda")[0])
        if n < 1_000_000 or not args.skip_cpu_million:
            # Another seed on the CPU: one seed's rows start from the same
            # real rows, which a C2ST would tell apart as pairs.
            cpu, cpu_s = timed_fit(X, y, "cpu", random_state=1)
            record |= {
                "CPU fit s": cpu_s,
                "speed-up": cpu_s / cuda_s,
                "C2ST CPU vs CUDA rows": _c2st(cpu, cuda),
                "C2ST CPU seed 1 vs 0": _c2st(cpu, timed_fit(X, y, "cpu")[0]),
            }
        rows.append(record)
        print(record, flush=True)
    X, _, y, _ = load_imbalanced_mnist()
    mnist = {
        device: timed_fit(X, y, device, image_shape=(28, 28))[1]
        for device in ("cuda", "cpu")
    }
    loaded, error = loads_without_gpu(cuda)
    lines = [
        "# GANOversampler on a GPU",
        "",
        *started,
        f"- GPU: {torch.cuda.get_device_name()}",
        "",
        "Default fit (`fit`, 250 steps or one epoch) on make_classification "
        "tables with 20 columns (5 categorical); CPU on one torch thread. "
        "C2ST AUC between 2,000 minority rows of each, the CPU fitted with seed "
        "1 and CUDA with seed 0: 0.5 means the CPU's and CUDA's rows cannot be "
        "told apart; the last column compares two CPU fits, seeds 1 and 0, for "
        "reference. CUDA's start-up, a first one-epoch fit on 1,000 rows "
        f"in the process, not counted in the table: {start_up:.1f} s.",
        "",
        markdown_table(pd.DataFrame(rows).set_index("rows"), digits=3),
        "",
        "Default fit on the mnist suite's imbalanced 28x28 training images "
        f"(1,056 images, `image_shape=(28, 28)`): CUDA {mnist['cuda']:.1f} s, "
        f"CPU {mnist['cpu']:.1f} s.",
        "",
        "The same seed fitted twice on CUDA (20,000 rows): "
        f"{'byte-identical rows' if repeats else 'different rows'}.",
        "",
        "A sampler trained on CUDA, pickled and loaded in a process without a "
        f"GPU: {'samples' if loaded else 'FAILED: ' + error}.",
        "",
    ]
    Path(args.out).write_text("\n".join(lines))
    print(f"wrote {args.out}")
    return 0 if loaded and np.isfinite(rows[0]["C2ST CPU vs CUDA rows"]) else 1


if __name__ == "__main__":
    sys.exit(main())
