"""GANOversampler.save / load: a file format that loads without running code."""

import os
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch

from skgan import GANOversampler, __version__
from skgan._oversampler import FORMAT_VERSION
from skgan._state import decode, encode

FAST = {"epochs": 2, "batch_size": 32, "hidden_dims": (16,), "latent_dim": 8}


def numeric_table(n=90, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)).astype(np.float32)
    y = np.repeat([0, 1, 2], [n - 30, 20, 10])
    return X, y


def mixed_table(n=90, seed=0):
    """Every kind of column the codec restores, with missing values."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "colour": pd.Categorical(rng.choice(["red", "blue", "green"], n)),
            "size": pd.Categorical(
                rng.choice([1, 2, 3], n), categories=[3, 2, 1], ordered=True
            ),
            "city": pd.Series(rng.choice(["a", "b", "c"], n), dtype=object),
            "name": pd.Series(rng.choice(["x", "y"], n), dtype="string"),
            "flag": pd.Series(rng.random(n) < 0.5, dtype="boolean"),
            "member": rng.random(n) < 0.5,
            "count": pd.Series(rng.integers(0, 9, n), dtype="Int64"),
            "when": pd.Series(
                pd.date_range("2024-01-01", periods=n, freq="h", tz="Europe/Paris")
            ),
            "score": rng.normal(size=n).astype(np.float32),
            "income": rng.lognormal(3, 1, n),
        }
    )
    X.loc[rng.random(n) < 0.3, "income"] = np.nan
    X.loc[rng.random(n) < 0.2, "city"] = None
    X.loc[rng.random(n) < 0.2, "name"] = pd.NA
    X.loc[rng.random(n) < 0.2, "flag"] = pd.NA
    X.loc[rng.random(n) < 0.2, "count"] = pd.NA
    y = pd.Series(np.where(np.arange(n) < n // 3, "rare", "common"), name="label")
    return X, y


def round_trip(sampler, tmp_path):
    path = tmp_path / "sampler.skgan"
    sampler.save(path)
    return GANOversampler.load(path)


def assert_same_rows(a, b):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
        pd.testing.assert_series_equal(a.dtypes, b.dtypes)
    else:
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("mode", ["conditional", "per_class"])
def test_loaded_table_sampler_draws_the_next_rows(tmp_path, mode):
    X, y = numeric_table()
    sampler = GANOversampler(mode=mode, random_state=0, **FAST).fit(X, y)
    sampler.sample(3, y=2)  # the saved generator state is mid-stream
    loaded = round_trip(sampler, tmp_path)
    assert_same_rows(loaded.sample(40, y=2), sampler.sample(40, y=2))
    assert_same_rows(loaded.sample(5, y=1), sampler.sample(5, y=1))
    assert loaded.get_params() == sampler.get_params()
    assert loaded.sampling_strategy_ == sampler.sampling_strategy_
    assert all(type(key) is np.int64 for key in loaded.sampling_strategy_)
    np.testing.assert_array_equal(loaded.classes_, sampler.classes_)
    assert loaded.config_ == sampler.config_
    assert loaded.history_ == sampler.history_
    generators = loaded.generator_ if mode == "per_class" else {0: loaded.generator_}
    assert all(isinstance(g, torch.nn.Module) for g in generators.values())


@pytest.mark.parametrize(
    "mode, encoding, crossover",
    [
        ("conditional", "standard", False),
        ("conditional", "quantile", False),
        ("conditional", "mode", False),
        ("conditional", "mode", True),
        ("per_class", "standard", False),
    ],
)
def test_loaded_dataframe_sampler_keeps_dtypes_and_rows(
    tmp_path, mode, encoding, crossover
):
    X, y = mixed_table()
    sampler = GANOversampler(
        mode=mode,
        numeric_encoding=encoding,
        crossover=crossover,
        random_state=0,
        **FAST,
    ).fit(X, y)
    loaded = round_trip(sampler, tmp_path)
    rows = loaded.sample(30, y="rare")
    assert_same_rows(rows, sampler.sample(30, y="rare"))
    pd.testing.assert_series_equal(rows.dtypes, X.dtypes)
    assert rows["size"].cat.categories.equals(X["size"].cat.categories)
    assert rows["size"].cat.ordered
    np.testing.assert_array_equal(loaded.feature_names_in_, X.columns)


def test_loaded_sampler_resamples_like_the_original(tmp_path):
    X, y = mixed_table()
    sampler = GANOversampler(device="cpu", random_state=0, **FAST)
    expected = sampler.fit_resample(X, y)[0]
    loaded = round_trip(GANOversampler(device="cpu", random_state=0, **FAST), tmp_path)
    assert_same_rows(loaded.fit_resample(X, y)[0], expected)


@pytest.mark.parametrize(
    "images, params",
    [
        (np.arange(60 * 64).reshape(60, 8, 8) % 17, {}),
        (
            np.random.default_rng(0).random((40, 16, 16, 3), dtype=np.float32),
            {"network": "conv", "conv_width": 4},
        ),
    ],
)
def test_loaded_image_sampler_draws_the_next_images(tmp_path, images, params):
    labels = np.repeat([0, 1], [len(images) - 12, 12])
    sampler = GANOversampler(random_state=0, **FAST, **params).fit(images, labels)
    loaded = round_trip(sampler, tmp_path)
    drawn = loaded.sample(6, y=1)
    assert drawn.shape == (6,) + images.shape[1:]
    assert_same_rows(drawn, sampler.sample(6, y=1))


def test_unfitted_sampler_keeps_its_parameters(tmp_path):
    params = {
        "sampling_strategy": {1: 30},
        "categorical_features": [0, 2],
        "image_shape": (4, 4),
        "hidden_dims": (8, 4),
        "random_state": np.random.RandomState(3),
    }
    loaded = round_trip(GANOversampler(**params), tmp_path)
    for name, value in params.items():
        if name == "random_state":
            assert loaded.random_state.randint(1000) == value.randint(1000)
        else:
            got = loaded.get_params()[name]
            assert got == value and type(got) is type(value)
    assert not hasattr(loaded, "generator_")


def test_gpu_trained_config_loads_on_cpu(tmp_path):
    from dataclasses import replace

    X, y = numeric_table()
    sampler = GANOversampler(random_state=0, **FAST).fit(X, y)
    sampler.config_ = replace(sampler.config_, device=torch.device("cuda", 1))
    loaded = round_trip(sampler, tmp_path)
    assert loaded.config_.device == torch.device("cuda", 1)
    assert_same_rows(loaded.sample(4, y=1), sampler.sample(4, y=1))


def test_pickle_still_works_after_load(tmp_path):
    X, y = numeric_table()
    loaded = round_trip(GANOversampler(random_state=0, **FAST).fit(X, y), tmp_path)
    clone = pickle.loads(pickle.dumps(loaded))
    assert_same_rows(clone.sample(5, y=1), loaded.sample(5, y=1))


def test_unsavable_parameter_is_named_and_nothing_is_written(tmp_path):
    X, y = numeric_table()
    sampler = GANOversampler(lambda y: {2: 15}, random_state=0, **FAST).fit(X, y)
    path = tmp_path / "sampler.skgan"
    with pytest.raises(ValueError, match="Cannot save the sampler.*function"):
        sampler.save(path)
    assert not path.exists()


class _WritesMarker:
    """Unpickling this creates the directory ``path``."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return os.mkdir, (self.path,)


@pytest.mark.parametrize("writer", ["pickle", "torch"])
def test_file_that_would_run_code_is_refused(tmp_path, writer):
    marker = tmp_path / "code-ran"
    path = tmp_path / "evil.skgan"
    payload = {"format": "skgan", "format_version": 1, "params": _WritesMarker(marker)}
    if writer == "pickle":
        path.write_bytes(pickle.dumps(payload))
    else:
        torch.save(payload, path)
    with pytest.raises(ValueError, match=f"Cannot load {path}: it is not a readable"):
        GANOversampler.load(path)
    assert not marker.exists()
    # The payload does run code when unpickled: the test checks a real threat.
    pickle.loads(pickle.dumps(payload))
    assert marker.exists()


def test_truncated_file_is_refused(tmp_path):
    X, y = numeric_table()
    path = tmp_path / "sampler.skgan"
    GANOversampler(random_state=0, **FAST).fit(X, y).save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=f"Cannot load {path}: .*truncated"):
        GANOversampler.load(path)


@pytest.mark.parametrize(
    "contents", [{"weights": torch.zeros(2)}, torch.zeros(2), [1, 2], {"format": "x"}]
)
def test_file_of_another_format_is_refused(tmp_path, contents):
    path = tmp_path / "other.pt"
    torch.save(contents, path)
    with pytest.raises(ValueError, match=f"Cannot load {path}: it is not a skgan"):
        GANOversampler.load(path)


def saved_contents(tmp_path):
    X, y = numeric_table()
    path = tmp_path / "sampler.skgan"
    GANOversampler(random_state=0, **FAST).fit(X, y).save(path)
    return path, torch.load(path, weights_only=True)


def test_file_records_its_format_and_version(tmp_path):
    _, contents = saved_contents(tmp_path)
    assert contents["format"] == "skgan"
    assert contents["format_version"] == FORMAT_VERSION
    assert contents["skgan_version"] == __version__


def test_other_format_version_is_refused(tmp_path):
    path, contents = saved_contents(tmp_path)
    torch.save({**contents, "format_version": FORMAT_VERSION + 1}, path)
    with pytest.raises(ValueError, match=f"{path}: it has skgan model format version"):
        GANOversampler.load(path)


def test_other_skgan_version_with_same_format_warns(tmp_path):
    path, contents = saved_contents(tmp_path)
    torch.save({**contents, "skgan_version": "0.0.1"}, path)
    with pytest.warns(UserWarning, match="saved by skgan 0.0.1"):
        loaded = GANOversampler.load(path)
    assert loaded.sample(3, y=1).shape == (3, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GANOversampler.load(saved_contents(tmp_path)[0])


def test_file_from_before_a_parameter_loads_with_its_earlier_behaviour(tmp_path):
    # Files saved before k_neighbors existed were fitted with 5 neighbours.
    path, contents = saved_contents(tmp_path)
    params = decode(contents["params"])
    assert params.pop("k_neighbors") == 10
    torch.save({**contents, "params": encode(params)}, path)
    assert GANOversampler.load(path).k_neighbors == 5
    assert GANOversampler.load(saved_contents(tmp_path)[0]).k_neighbors == 10


def test_file_naming_an_unknown_class_is_refused(tmp_path):
    path, contents = saved_contents(tmp_path)
    attributes = contents["attributes"]["v"]
    for pair in attributes:
        if pair[0] == "_codec":
            pair[1]["class"] = "Popen"
    torch.save(contents, path)
    with pytest.raises(ValueError, match="damaged.*unknown class 'Popen'"):
        GANOversampler.load(path)


def test_unregistered_class_of_a_registered_name_is_not_saved(tmp_path):
    class Span:  # same name as skgan._codec.Span, which is saveable
        pass

    sampler = GANOversampler(categorical_features=[Span()])
    with pytest.raises(ValueError, match="Cannot save a value of type .*Span"):
        sampler.save(tmp_path / "sampler.skgan")
