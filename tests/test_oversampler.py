"""Behaviour of GANOversampler on numeric tables."""

import logging
import pickle
import re
import subprocess
import sys
import time
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import torch
from imblearn.pipeline import Pipeline
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skgan import GANOversampler
from skgan._oversampler import AUTO_BATCH, AUTO_STEPS, auto_epochs
from skgan.metrics import exact_copy_rate

FAST = {"epochs": 3, "batch_size": 32, "hidden_dims": (16,), "latent_dim": 8}


@pytest.fixture(scope="module")
def imbalanced():
    """Three Gaussian classes of 72, 36 and 12 rows in four columns."""
    rng = np.random.default_rng(0)
    counts = [72, 36, 12]
    X = np.vstack([rng.normal(2.0 * k, 1.0, size=(n, 4)) for k, n in enumerate(counts)])
    y = np.repeat(np.arange(3), counts)
    order = rng.permutation(len(y))
    return X[order], y[order]


@pytest.mark.parametrize("mode", ["conditional", "per_class"])
def test_original_rows_first_then_synthetic(imbalanced, mode):
    X, y = imbalanced
    X_res, y_res = GANOversampler(mode=mode, random_state=0, **FAST).fit_resample(X, y)
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(y_res[: len(y)], y)
    counts = Counter(y_res)
    assert counts[0] == counts[1] == counts[2] == Counter(y)[0]


@pytest.mark.parametrize(
    "strategy, expected",
    [
        ("minority", {0: 72, 1: 36, 2: 72}),
        ("not minority", {0: 72, 1: 72, 2: 12}),
        ("not majority", {0: 72, 1: 72, 2: 72}),
        ("all", {0: 72, 1: 72, 2: 72}),
        ({1: 50, 2: 40}, {0: 72, 1: 50, 2: 40}),
        (lambda y: {2: 30}, {0: 72, 1: 36, 2: 30}),
    ],
)
@pytest.mark.parametrize("mode", ["conditional", "per_class"])
def test_sampling_strategy_forms(imbalanced, strategy, expected, mode):
    X, y = imbalanced
    assert Counter(y) == {0: 72, 1: 36, 2: 12}
    sampler = GANOversampler(strategy, mode=mode, random_state=0, **FAST)
    _, y_res = sampler.fit_resample(X, y)
    assert dict(Counter(y_res.tolist())) == expected


def test_float_strategy_binary():
    X, y = make_classification(n_samples=100, weights=[0.8], random_state=1)
    sampler = GANOversampler(0.5, random_state=0, **FAST)
    _, y_res = sampler.fit_resample(X, y)
    counts = Counter(y_res)
    assert counts[1] == int(0.5 * counts[0])


def test_float_strategy_rejects_multiclass(imbalanced):
    with pytest.raises(ValueError, match="binary"):
        GANOversampler(0.5, **FAST).fit_resample(*imbalanced)


@pytest.mark.parametrize("mode", ["conditional", "per_class"])
def test_string_labels(imbalanced, mode):
    X, y = imbalanced
    names = np.array(["cat", "dog", "emu"])[y]
    sampler = GANOversampler(mode=mode, random_state=0, **FAST)
    X_res, y_res = sampler.fit_resample(X, names)
    assert Counter(y_res) == {"cat": 72, "dog": 72, "emu": 72}
    assert sampler.sample(4, y="emu").shape == (4, X.shape[1])


def test_dtypes_preserved(imbalanced):
    X, y = imbalanced
    X_res, y_res = GANOversampler(random_state=0, **FAST).fit_resample(
        X.astype(np.float32), y.astype(np.int32)
    )
    assert X_res.dtype == np.float32
    assert y_res.dtype == np.int32


def test_integer_columns_hold_integers_inside_observed_range(imbalanced):
    X, y = imbalanced
    X_int = np.rint(X * 10).astype(np.int64)
    X_res, _ = GANOversampler(random_state=0, **FAST).fit_resample(X_int, y)
    synthetic = X_res[len(X) :]
    assert X_res.dtype == np.int64
    assert (synthetic >= X_int.min(axis=0)).all()
    assert (synthetic <= X_int.max(axis=0)).all()


def test_float_values_stay_inside_observed_range(imbalanced):
    X, y = imbalanced
    X_res, _ = GANOversampler(random_state=3, **FAST).fit_resample(X, y)
    synthetic = X_res[len(X) :]
    assert (synthetic >= X.min(axis=0)).all() and (synthetic <= X.max(axis=0)).all()


def test_dataframe_and_series_round_trip(imbalanced):
    X, y = imbalanced
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"]).astype({"d": np.float32})
    target = pd.Series(y, name="label")
    sampler = GANOversampler(random_state=0, **FAST)
    X_res, y_res = sampler.fit_resample(frame, target)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert list(X_res.columns) == ["a", "b", "c", "d"]
    assert (X_res.dtypes == frame.dtypes).all()
    assert y_res.name == "label"
    pd.testing.assert_frame_equal(X_res.iloc[: len(frame)], frame)
    np.testing.assert_array_equal(sampler.feature_names_in_, ["a", "b", "c", "d"])
    sample = sampler.sample(3, y=2)
    assert isinstance(sample, pd.DataFrame) and list(sample.columns) == list("abcd")


def test_fixed_seed_is_byte_identical(imbalanced):
    X, y = imbalanced
    first, _ = GANOversampler(device="cpu", random_state=7, **FAST).fit_resample(X, y)
    second, _ = GANOversampler(device="cpu", random_state=7, **FAST).fit_resample(X, y)
    other, _ = GANOversampler(device="cpu", random_state=8, **FAST).fit_resample(X, y)
    assert first.tobytes() == second.tobytes()
    assert first.tobytes() != other.tobytes()


def test_zero_epochs_samples_from_the_untrained_anchored_generator(imbalanced):
    X, y = imbalanced
    sampler = GANOversampler(epochs=0, device="cpu", random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.history_ == []
    assert np.bincount(y_res).tolist() == [72, 72, 72]
    again, _ = GANOversampler(epochs=0, device="cpu", random_state=0).fit_resample(X, y)
    assert X_res.tobytes() == again.tobytes()
    # Each value lies between two real rows of its class.
    for label in (1, 2):
        real, new = X[y == label], X_res[len(X) :][y_res[len(X) :] == label]
        assert (new >= real.min(axis=0)).all() and (new <= real.max(axis=0)).all()


def test_crossover_mixes_the_two_rows_discrete_values():
    # 16 random flags: a row mixing two real rows is rarely a real row.
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(160, 16)).astype(float)
    y = np.repeat([0, 1], [130, 30])
    params = dict(epochs=0, reject_copies=False, device="cpu", random_state=0)
    rates = {}
    for crossover in (False, True):
        X_res, _ = GANOversampler(crossover=crossover, **params).fit_resample(X, y)
        new = X_res[len(X) :]
        assert np.isin(new, [0.0, 1.0]).all()
        rates[crossover] = exact_copy_rate(X, new)
    # One step per row rounds every flag to the row's or the neighbour's.
    assert rates[False] == 1.0
    assert rates[True] < 0.2


def test_crossover_leaves_images_alone():
    images = np.random.default_rng(0).integers(0, 256, (40, 8, 8), dtype=np.uint8)
    labels = np.repeat([0, 1], [28, 12])
    params = dict(anchor="neighbours", epochs=0, device="cpu", random_state=0)
    plain, _ = GANOversampler(crossover=False, **params).fit_resample(images, labels)
    crossed, _ = GANOversampler(crossover=True, **params).fit_resample(images, labels)
    assert plain.tobytes() == crossed.tobytes()


def test_zero_epochs_needs_anchored_generation(imbalanced):
    images = np.random.default_rng(0).integers(0, 256, (30, 8, 8), dtype=np.uint8)
    labels = np.repeat([0, 1], [20, 10])
    with pytest.raises(ValueError, match="epochs=0 leaves the generator untrained"):
        GANOversampler(epochs=0).fit_resample(images, labels)
    with pytest.raises(ValueError, match="epochs=0"):
        GANOversampler(epochs=0, anchor=None).fit_resample(*imbalanced)


def test_fixed_seed_is_byte_identical_across_processes(imbalanced):
    script = (
        "import sys, numpy as np\n"
        "from sklearn.datasets import make_classification\n"
        "from skgan import GANOversampler\n"
        "X, y = make_classification(n_samples=80, n_features=4, weights=[0.8],"
        " random_state=0)\n"
        "X_res, _ = GANOversampler(random_state=5, epochs=3, batch_size=32,"
        " device='cpu')"
        ".fit_resample(X, y)\n"
        "sys.stdout.write(X_res.tobytes().hex())\n"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert outputs[0] and outputs[0] == outputs[1]


def test_global_random_state_and_threads_untouched(imbalanced):
    X, y = imbalanced
    np.random.seed(123)
    torch.manual_seed(123)
    numpy_state = np.random.get_state()
    torch_state = torch.get_rng_state()
    threads = torch.get_num_threads()
    for mode in ["conditional", "per_class"]:
        sampler = GANOversampler(mode=mode, random_state=0, **FAST)
        sampler.fit_resample(X, y)
        pickle.loads(pickle.dumps(sampler)).sample(2, y=2)
    after = np.random.get_state()
    assert after[0] == numpy_state[0]
    np.testing.assert_array_equal(after[1], numpy_state[1])
    assert after[2:] == numpy_state[2:]
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert torch.get_num_threads() == threads


def test_unseeded_runs_differ_without_using_global_state(imbalanced):
    X, y = imbalanced
    np.random.seed(0)
    first, _ = GANOversampler(**FAST).fit_resample(X, y)
    np.random.seed(0)
    second, _ = GANOversampler(**FAST).fit_resample(X, y)
    assert first.tobytes() != second.tobytes()


def test_per_class_results_do_not_depend_on_n_jobs(imbalanced):
    X, y = imbalanced
    serial, _ = GANOversampler(
        mode="per_class", n_jobs=1, random_state=0, **FAST
    ).fit_resample(X, y)
    parallel, _ = GANOversampler(
        mode="per_class", n_jobs=2, random_state=0, **FAST
    ).fit_resample(X, y)
    assert serial.tobytes() == parallel.tobytes()


def test_fit_then_sample_and_history(imbalanced):
    X, y = imbalanced
    sampler = GANOversampler(random_state=0, **FAST).fit(X, y)
    assert sampler.sampling_strategy_ == {1: 36, 2: 60}
    assert [r["epoch"] for r in sampler.history_] == [1, 2, 3]
    assert all(np.isfinite([r["d_loss"], r["g_loss"]]).all() for r in sampler.history_)
    assert sampler.sample(5, y=0).shape == (5, 4)  # conditional: any class
    assert sampler.sample(0, y=1).shape == (0, 4)
    per_class = GANOversampler(mode="per_class", random_state=0, **FAST).fit(X, y)
    assert set(per_class.history_) == {1, 2}
    assert set(per_class.generator_) == {1, 2}
    with pytest.raises(ValueError, match="y=0"):
        per_class.sample(5, y=0)


def test_sample_generates_in_chunks(imbalanced, monkeypatch):
    import skgan._train

    monkeypatch.setattr(skgan._train, "GENERATE_CHUNK", 16)
    sampler = GANOversampler(random_state=0, **FAST).fit(*imbalanced)
    batches = []
    sampler.generator_.register_forward_hook(
        lambda module, args, out: batches.append(len(out))
    )
    rows = sampler.sample(40, y=1)
    assert batches == [16, 16, 8] and rows.shape == (40, 4)
    assert np.isfinite(rows).all() and len(np.unique(rows, axis=0)) == 40


@pytest.mark.parametrize("bad", [-1, 2.5, "3"])
def test_sample_rejects_bad_counts(imbalanced, bad):
    sampler = GANOversampler(random_state=0, **FAST).fit(*imbalanced)
    with pytest.raises(ValueError, match="n_samples"):
        sampler.sample(bad, y=1)


def test_sample_rejects_unknown_class(imbalanced):
    sampler = GANOversampler(random_state=0, **FAST).fit(*imbalanced)
    with pytest.raises(ValueError, match="y=9"):
        sampler.sample(2, y=9)


def test_sample_before_fit_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        GANOversampler().sample(2, y=1)


def test_pickle_round_trip_keeps_model(imbalanced):
    X, y = imbalanced
    sampler = GANOversampler(random_state=0, **FAST).fit(X, y)
    clone = pickle.loads(pickle.dumps(sampler))
    np.testing.assert_array_equal(sampler.sample(6, y=2), clone.sample(6, y=2))
    per_class = GANOversampler(mode="per_class", random_state=0, **FAST).fit(X, y)
    clone = pickle.loads(pickle.dumps(per_class))
    np.testing.assert_array_equal(per_class.sample(6, y=2), clone.sample(6, y=2))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"device": "gpu7"}, "device='gpu7'"),
        ({"hidden_dims": ()}, "hidden_dims"),
        ({"hidden_dims": (16, -2)}, "hidden_dims"),
        ({"mode": "bogus"}, "mode"),
        ({"loss": "l2"}, "loss"),
        ({"epochs": -1}, "epochs"),
    ],
)
def test_bad_parameters_are_named(imbalanced, params, match):
    with pytest.raises(ValueError, match=match):
        GANOversampler(**{**FAST, **params}).fit_resample(*imbalanced)


def test_unavailable_cuda_is_a_clear_error(imbalanced, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="device='cuda:1' is not available"):
        GANOversampler(device="cuda:1", **FAST).fit_resample(*imbalanced)
    sampler = GANOversampler(device="auto", random_state=0, **FAST).fit(*imbalanced)
    assert sampler.sample(1, y=1).shape == (1, 4)


def test_inf_rejected_naming_the_column(imbalanced):
    X, y = imbalanced
    X = X.copy()
    X[0, 1] = np.inf
    with pytest.raises(ValueError, match="Column 1 contains infinite"):
        GANOversampler(**FAST).fit_resample(X, y)


def test_verbose_reports_losses(imbalanced, capsys):
    GANOversampler(verbose=2, random_state=0, **FAST).fit(*imbalanced)
    captured = capsys.readouterr()
    assert "epoch 3: d_loss=" in captured.out + captured.err


def test_hinge_loss_trains(imbalanced):
    X, y = imbalanced
    sampler = GANOversampler(loss="hinge", random_state=0, **FAST)
    X_res, _ = sampler.fit_resample(X, y)
    assert np.isfinite(X_res).all()
    assert len(sampler.history_) == 3


def test_auto_epochs_scale_with_table_size():
    assert auto_epochs(50, batch_size=100, steps=250) == 250
    assert auto_epochs(1_000, batch_size=100, steps=250) == 25
    assert auto_epochs(50_000, batch_size=100, steps=250) == 1
    X, y = make_classification(n_samples=50, random_state=0)
    table = GANOversampler(batch_size=100, hidden_dims=(8,), latent_dim=4)
    assert table.fit(X, y).config_.epochs == AUTO_STEPS["anchored"]
    # From noise, a table gets the longer training images get.
    table.set_params(anchor=None, max_time=1e-9)
    assert table.fit(X, y).config_.epochs == AUTO_STEPS["noise"]


def test_auto_batch_size_follows_the_generation():
    X, y = make_classification(n_samples=50, random_state=0)
    table = GANOversampler(hidden_dims=(8,), latent_dim=4, epochs=1)
    assert table.fit(X, y).config_.batch_size == AUTO_BATCH["anchored"] == 128
    table.set_params(anchor=None)
    assert table.fit(X, y).config_.batch_size == AUTO_BATCH["noise"] == 256
    table.set_params(batch_size=32)
    assert table.fit(X, y).config_.batch_size == 32


@pytest.mark.parametrize("discriminator_steps", [1, 2])
def test_each_step_generates_one_batch_per_discriminator_update(
    monkeypatch, discriminator_steps
):
    import skgan._train

    calls = []
    generate = skgan._train._fake_rows

    def counted(generator, cls, *args):
        calls.append(generator.training)
        return generate(generator, cls, *args)

    monkeypatch.setattr(skgan._train, "_fake_rows", counted)
    X, y = make_classification(n_samples=60, weights=[0.8], random_state=0)
    sampler = GANOversampler(
        **FAST, discriminator_steps=discriminator_steps, random_state=0
    ).fit(X, y)
    per_epoch = skgan._train.n_steps_per_epoch(60, FAST["batch_size"])
    steps = sampler.config_.epochs * per_epoch
    # Training calls only; generating the synthetic rows runs in eval mode.
    assert sum(calls) == steps * discriminator_steps


@pytest.mark.parametrize("mode", ["conditional", "per_class"])
def test_learns_a_distant_minority_cluster(mode):
    rng = np.random.default_rng(0)
    majority = rng.normal(0.0, 1.0, size=(400, 2))
    minority = rng.normal(8.0, 0.5, size=(30, 2))
    X = np.vstack([majority, minority])
    y = np.array([0] * 400 + [1] * 30)
    sampler = GANOversampler(mode=mode, random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    synthetic = X_res[len(X) :]
    near_minority = np.linalg.norm(synthetic - 8.0, axis=1) < 2.0
    assert near_minority.mean() > 0.9
    assert np.linalg.norm(synthetic.mean(axis=0) - minority.mean(axis=0)) < 1.0


def test_pipeline_in_grid_search(imbalanced):
    X, y = imbalanced
    pipe = Pipeline(
        [
            ("sampler", GANOversampler(random_state=0, **FAST)),
            ("clf", LogisticRegression(max_iter=200)),
        ]
    )
    grid = GridSearchCV(
        pipe,
        {"sampler__mode": ["conditional", "per_class"], "clf__C": [0.1, 1.0]},
        cv=3,
        scoring="balanced_accuracy",
        n_jobs=2,
    )
    grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()
    assert grid.best_params_["sampler__mode"] in {"conditional", "per_class"}


@pytest.mark.parametrize("caller_threads", [1, 2])
def test_seeded_output_ignores_callers_thread_count(imbalanced, caller_threads):
    X, y = imbalanced
    threads = torch.get_num_threads()
    torch.set_num_threads(3)
    try:
        reference, _ = GANOversampler(random_state=4, **FAST).fit_resample(X, y)
        torch.set_num_threads(caller_threads)
        X_res, _ = GANOversampler(random_state=4, **FAST).fit_resample(X, y)
        assert torch.get_num_threads() == caller_threads
    finally:
        torch.set_num_threads(threads)
    assert X_res.tobytes() == reference.tobytes()


def test_concurrent_fits_in_threads_match_serial_and_restore_threads(imbalanced):
    from joblib import Parallel, delayed

    X, y = imbalanced
    threads = torch.get_num_threads()

    def rows(seed):
        return GANOversampler(random_state=seed, **FAST).fit_resample(X, y)[0]

    serial = [rows(seed) for seed in range(4)]
    threaded = Parallel(n_jobs=4, backend="threading")(
        delayed(rows)(seed) for seed in range(4)
    )
    assert [a.tobytes() for a in serial] == [b.tobytes() for b in threaded]
    assert torch.get_num_threads() == threads


def test_verbose_lines_name_the_model(imbalanced, capsys):
    X, y = imbalanced
    GANOversampler(verbose=2, random_state=0, **FAST).fit(X, y)
    GANOversampler(mode="per_class", verbose=2, random_state=0, **FAST).fit(X, y)
    captured = capsys.readouterr()
    lines = [
        line for line in (captured.out + captured.err).splitlines() if "d_loss=" in line
    ]
    assert lines and all(
        line.startswith(("GAN epoch", "class 1 epoch", "class 2 epoch"))
        for line in lines
    )


def test_fit_logs_start_end_and_each_epochs_losses(imbalanced, caplog):
    caplog.set_level(logging.DEBUG, logger="skgan")
    sampler = GANOversampler(random_state=0, **FAST).fit(*imbalanced)
    records = [r for r in caplog.records if r.name == "skgan"]
    info = [r.getMessage() for r in records if r.levelno == logging.INFO]
    assert len(info) == 2
    assert "120 rows of 3 classes" in info[0]
    assert f"3 epochs, device {sampler.config_.device}" in info[0]
    assert re.fullmatch(r"GANOversampler: fitted in \d+\.\d s", info[1])
    debug = [r.getMessage() for r in records if r.levelno == logging.DEBUG]
    assert debug == [
        f"GAN epoch {h['epoch']}: d_loss={h['d_loss']:.4f} g_loss={h['g_loss']:.4f}"
        for h in sampler.history_
    ]


def test_logging_changes_no_result_and_adds_no_handler(imbalanced, caplog):
    silent = GANOversampler(device="cpu", random_state=0, **FAST).fit_resample(
        *imbalanced
    )
    caplog.set_level(logging.DEBUG, logger="skgan")
    logged = GANOversampler(device="cpu", random_state=0, **FAST).fit_resample(
        *imbalanced
    )
    assert caplog.records
    assert [a.tobytes() for a in silent] == [b.tobytes() for b in logged]
    # caplog's handler sits on the root logger; the library installs none.
    assert logging.getLogger("skgan").handlers == []


def test_interrupted_fit_leaves_the_sampler_as_it_was(imbalanced, monkeypatch):
    import skgan._train

    X, y = imbalanced
    sampler = GANOversampler(random_state=0, **FAST).fit(X, y)
    before = dict(sampler.__dict__)
    twin = pickle.loads(pickle.dumps(sampler))
    threads = torch.get_num_threads()

    def interrupt(total, epoch):
        raise KeyboardInterrupt

    monkeypatch.setattr(skgan._train, "_check_finite", interrupt)
    for call in (sampler.fit, sampler.fit_resample):
        with pytest.raises(KeyboardInterrupt):
            call(X[:100], y[:100])
        assert sampler.__dict__.keys() == before.keys()
        assert all(sampler.__dict__[key] is before[key] for key in before)
        assert torch.get_num_threads() == threads
    fresh = GANOversampler(random_state=0, **FAST)
    with pytest.raises(KeyboardInterrupt):
        fresh.fit_resample(X, y)
    assert not hasattr(fresh, "generator_") and not hasattr(fresh, "classes_")
    np.testing.assert_array_equal(sampler.sample(5, y=2), twin.sample(5, y=2))


def _poisoned_losses(monkeypatch, times):
    """Make the discriminator loss NaN until ``times`` divergences were seen."""
    import skgan._train

    seen = []
    d_loss, g_loss = skgan._train._LOSSES["wgan-gp"]
    check = skgan._train._check_finite

    def poisoned(*args):
        loss = d_loss(*args)
        return loss * float("nan") if len(seen) < times else loss

    def counting(total, epoch):
        try:
            check(total, epoch)
        except Exception:
            seen.append(epoch)
            raise

    monkeypatch.setitem(skgan._train._LOSSES, "wgan-gp", (poisoned, g_loss))
    monkeypatch.setattr(skgan._train, "_check_finite", counting)
    return seen


def test_diverged_training_retries_once_at_a_lower_rate(imbalanced, monkeypatch):
    seen = _poisoned_losses(monkeypatch, times=1)
    with pytest.warns(RuntimeWarning, match="learning_rate=5e-05"):
        sampler = GANOversampler(learning_rate=2e-4, random_state=0, **FAST)
        X_res, _ = sampler.fit_resample(*imbalanced)
    assert seen == [1]
    assert np.isfinite(X_res).all()
    assert all(np.isfinite(r["d_loss"]) for r in sampler.history_)


def test_training_that_diverges_twice_names_the_remedy(imbalanced, monkeypatch):
    _poisoned_losses(monkeypatch, times=2)
    sampler = GANOversampler(random_state=0, **FAST)
    with pytest.warns(RuntimeWarning), pytest.raises(RuntimeError, match="Lower"):
        sampler.fit_resample(*imbalanced)
    assert not hasattr(sampler, "generator_")


def test_progress_bar_in_a_log_file_stays_short(imbalanced, capsys):
    # Captured output is not a terminal, as a log file is not: a fit of
    # hundreds of epochs writes a handful of bar updates, not one per epoch.
    params = {**FAST, "epochs": 300}
    GANOversampler(verbose=1, random_state=0, **params).fit(*imbalanced)
    err = capsys.readouterr().err
    assert "300/300" in err
    assert err.count("\r") + err.count("\n") < 10


def test_max_time_stops_training_early(imbalanced):
    X, y = imbalanced
    params = {**FAST, "epochs": 100_000}
    sampler = GANOversampler(max_time=0.5, random_state=0, **params)
    start = time.perf_counter()
    X_res, _ = sampler.fit_resample(X, y)
    assert time.perf_counter() - start < 10
    assert 1 <= len(sampler.history_) < 100_000
    assert np.isfinite(X_res).all()


def test_early_stopping_keeps_the_best_scored_generator(monkeypatch):
    import skgan._train

    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (200, 3)), rng.normal(4, 1, (60, 3))])
    y = np.r_[np.zeros(200), np.ones(60)]
    params = {**FAST, "epochs": 200}
    scores, states = [], []
    score = skgan._train._BestGenerator.score

    def recording(keeper):
        value = score(keeper)
        scores.append(value)
        states.append(
            {k: v.cpu().clone() for k, v in keeper.generator.state_dict().items()}
        )
        return value

    monkeypatch.setattr(skgan._train._BestGenerator, "score", recording)
    sampler = GANOversampler(early_stopping=True, random_state=0, **params)
    sampler.fit(X, y)
    scored = [r for r in sampler.history_ if "holdout_distance" in r]
    assert [r["holdout_distance"] for r in scored] == scores
    best = int(np.argmin(scores))
    for key, value in sampler.generator_.state_dict().items():
        assert torch.equal(value, states[best][key])
    # It stopped after PATIENCE scores without improvement, or ran to the end.
    assert (
        len(scores) - 1 - best == skgan._train.PATIENCE or len(sampler.history_) == 200
    )


def test_early_stopping_without_rows_to_spare_trains_normally(imbalanced):
    X, y = imbalanced
    few = np.r_[np.flatnonzero(y == 0)[:9], np.flatnonzero(y == 1)[:5]]
    sampler = GANOversampler(early_stopping=True, random_state=0, **FAST)
    sampler.fit(X[few], y[few])
    assert len(sampler.history_) == FAST["epochs"]
    assert not any("holdout_distance" in r for r in sampler.history_)
