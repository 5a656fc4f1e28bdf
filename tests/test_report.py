import base64
import re
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from sklearn.datasets import load_digits, make_classification  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402

from skgan import GANOversampler, plot_history  # noqa: E402
from skgan.metrics import c2st_auc, dcr_ratio, exact_copy_rate  # noqa: E402
from skgan.report import plot_image_grid, quality_report  # noqa: E402


def _digit_rows(n_rows=4, n_per_row=5):
    X, y = load_digits(return_X_y=True)
    return [list(X[y == digit][:n_per_row]) for digit in range(n_rows)]


def test_image_grid_labels_sit_left_of_the_images(tmp_path):
    rows = _digit_rows()
    rows[2][3] = None  # a blank cell stays blank
    labels = [f"{digit}: {150 - 40 * digit}" for digit in range(len(rows))]
    fig = plot_image_grid(rows, None, row_labels=labels, title="digits")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    image_axes = [ax for ax in fig.axes if ax.images]
    assert len(image_axes) == 4 * 5 - 1
    leftmost = min(ax.get_window_extent().x0 for ax in image_axes)
    texts = [t for ax in fig.axes for t in ax.texts]
    assert [t.get_text() for t in texts] == labels
    for text in texts:
        box = text.get_window_extent(renderer)
        assert box.x1 <= leftmost
    # Each label is level with its own row of images.
    for text, row_axes in zip(texts, _rows_of(fig, image_axes), strict=True):
        box, first = text.get_window_extent(renderer), row_axes[0].get_window_extent()
        assert first.y0 <= (box.y0 + box.y1) / 2 <= first.y1
    plt.close(fig)


def _rows_of(fig, image_axes):
    rows = {}
    for ax in image_axes:
        rows.setdefault(ax.get_subplotspec().rowspan.start, []).append(ax)
    return [rows[key] for key in sorted(rows)]


def test_image_grid_writes_a_png(tmp_path):
    path = tmp_path / "grid.png"
    assert plot_image_grid(_digit_rows(), path, row_labels=list("abcd")) == path
    assert path.read_bytes().startswith(b"\x89PNG")
    assert not plt.get_fignums()


def _tables(n_real=80, n_features=3, seed=0):
    """Real rows of two classes and synthetic rows of the minority class."""
    rng = np.random.default_rng(seed)

    def rows(n, label):
        frame = pd.DataFrame(
            {f"x{i}": rng.normal(size=n) for i in range(n_features - 2)}
        )
        frame["count"] = rng.integers(0, 6, n)
        frame["colour"] = rng.choice(["red", "green", "blue"], n)
        frame["y"] = label
        return frame

    real = pd.concat([rows(n_real - 20, "a"), rows(20, "b")], ignore_index=True)
    return real, rows(30, "b")


def _images(page):
    return re.findall(r'<img[^>]*src="([^"]+)"', page)


def test_quality_report_is_one_self_contained_page(tmp_path):
    real, synthetic = _tables()
    path = tmp_path / "report.html"
    page = quality_report(real, synthetic, target="y", output=path)
    assert path.read_text(encoding="utf-8") == page
    assert page.startswith("<!DOCTYPE html>")
    # Only class "b" has synthetic rows: marginals, correlations and scatter.
    assert "<h2>Class b</h2>" in page and "<h2>Class a</h2>" not in page
    sources = _images(page)
    assert len(sources) == 3
    for source in sources:
        assert source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.split(",", 1)[1]).startswith(b"\x89PNG")
    assert not re.search(r'(src|href)="(?!data:)', page)


def test_quality_report_scores_are_those_of_skgan_metrics():
    real, synthetic = _tables()
    page = quality_report(real, synthetic, target="y", random_state=3)
    real_b = real[real.y == "b"].drop(columns="y")
    fake_b = synthetic.drop(columns="y")
    expected = {
        "C2ST AUC": c2st_auc(real_b, fake_b, n_splits=5, random_state=3),
        "DCR ratio": dcr_ratio(real_b, fake_b),
        "exact-copy rate": exact_copy_rate(real_b, fake_b),
    }
    for name, value in expected.items():
        assert f"<th>{name}</th><td>{value:.3f}</td>" in page


def test_a_score_that_needs_more_rows_reads_n_a():
    real, synthetic = _tables()
    page = quality_report(real, synthetic.iloc[:1], target="y")
    assert "<tr><th>C2ST AUC</th><td>n/a</td>" in page


def test_quality_report_caps_the_marginal_grid_and_lists_every_column():
    real, synthetic = _tables(n_features=16)
    page = quality_report(real, synthetic, target="y")
    assert "The 12 of 16 columns whose marginals differ most are shown" in page
    details = page.split("<details>")[1].split("</details>")[0]
    assert details.count("<tr>") == 16


def test_quality_report_without_enough_real_rows_says_so():
    real, synthetic = _tables()
    synthetic.loc[:4, "y"] = "c"
    real.loc[0, "y"] = "c"
    page = quality_report(real, synthetic, target="y")
    assert "<h2>Class c</h2>" in page
    assert "Fewer than two real rows: nothing to compare." in page
    assert len(_images(page)) == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda real, fake: (real.drop(columns="y"), fake), "target column 'y'"),
        (lambda real, fake: (real, fake.drop(columns="colour")), "same columns"),
        (lambda real, fake: (real, fake.iloc[:0]), "no rows"),
    ],
)
def test_quality_report_rejects_tables_it_cannot_compare(change, message):
    with pytest.raises(ValueError, match=message):
        quality_report(*change(*_tables()), target="y")


def test_missing_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match="'bench' extra"):
        quality_report(*_tables(), target="y")


TINY = {"epochs": 3, "batch_size": 32, "hidden_dims": (16,), "latent_dim": 8}


@pytest.mark.parametrize(("mode", "n_lines"), [("conditional", 2), ("per_class", 4)])
def test_plot_history_draws_both_losses_of_every_gan(mode, n_lines):
    X, y = make_classification(
        n_samples=90,
        weights=[0.6, 0.25],
        n_classes=3,
        n_informative=3,
        random_state=0,
    )
    sampler = GANOversampler(mode=mode, random_state=0, **TINY).fit(X, y)
    fig, ax = plt.subplots()
    assert plot_history(sampler, ax=ax) is ax
    lines = ax.get_lines()
    assert len(lines) == n_lines
    assert all(len(line.get_xdata()) == 3 for line in lines)
    records = sampler.history_ if mode == "conditional" else sampler.history_[1]
    assert list(lines[0].get_ydata()) == [r["d_loss"] for r in records]
    assert list(lines[1].get_ydata()) == [r["g_loss"] for r in records]
    plt.close(fig)


def test_plot_history_needs_a_fitted_sampler():
    with pytest.raises(NotFittedError):
        plot_history(GANOversampler())
