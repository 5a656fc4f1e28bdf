import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from skgan.report import plot_image_grid  # noqa: E402


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
