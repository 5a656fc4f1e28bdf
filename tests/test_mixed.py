"""GANOversampler on mixed-type tables: DataFrame in, DataFrame out."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skgan import GANOversampler, _oversampler
from skgan._codec import TableCodec, categorical_mask
from skgan._nets import SHARE_MARGIN, gumbel_softmax
from skgan._oversampler import _MAX_REDRAWS, _MIN_REDRAW
from skgan._train import Anchors, Conditioner

FAST = {"epochs": 2, "batch_size": 32, "hidden_dims": (16,), "latent_dim": 8}


def mixed_table(n=90, seed=0):
    rng = np.random.default_rng(seed)
    y = np.where(np.arange(n) < n // 3, "rare", "common")
    X = pd.DataFrame(
        {
            "colour": pd.Categorical(rng.choice(["red", "blue", "green"], n)),
            "city": pd.Series(rng.choice(["a", "b", "c", "d"], n), dtype=object),
            "member": rng.random(n) < 0.5,
            "age": rng.integers(18, 90, n),
            "score": rng.normal(size=n).astype(np.float32),
            "income": rng.lognormal(3, 1, n),
        }
    )
    X.loc[rng.random(n) < 0.3, "income"] = np.nan
    X.loc[rng.random(n) < 0.2, "city"] = None
    return X, pd.Series(y, name="label")


def check_synthetic(X, X_res, y, y_res):
    synthetic = X_res.iloc[len(X) :]
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X)
    pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)
    assert y_res.value_counts().nunique() == 1
    for column, categorical in zip(X.columns, categorical_mask(X, "auto"), strict=True):
        real, fake = X[column], synthetic[column]
        if isinstance(real.dtype, pd.CategoricalDtype):
            assert fake.cat.categories.equals(real.cat.categories)
        if categorical:
            assert set(fake.dropna()) <= set(real.dropna()), column
        else:
            assert fake.dropna().between(real.min(), real.max()).all(), column
        if not real.isna().any():
            assert not fake.isna().any(), column
        if real.isna().all():
            assert fake.isna().all(), column


@pytest.mark.parametrize("mode", ["conditional", "per_class"])
def test_dataframe_round_trip(mode):
    X, y = mixed_table()
    sampler = GANOversampler(mode=mode, random_state=0, **FAST)
    X_res, y_res = sampler.fit_resample(X, y)
    check_synthetic(X, X_res, y, y_res)
    assert sampler.categorical_features_.tolist() == [0, 1, 2]
    synthetic = X_res.iloc[len(X) :]
    assert (synthetic["age"] == synthetic["age"].round()).all()


def test_missing_markers_and_rates_follow_the_input():
    X, y = mixed_table(n=300)
    sampler = GANOversampler(random_state=0, **(FAST | {"epochs": 30}))
    X_res, _ = sampler.fit_resample(X, y)
    synthetic = X_res.iloc[len(X) :]
    assert synthetic["city"][synthetic["city"].isna()].map(lambda v: v is None).all()
    assert 0.05 < synthetic["income"].isna().mean() < 0.7


def test_all_missing_column_stays_missing():
    X, y = mixed_table()
    X["nothing"] = np.nan
    X["none"] = pd.Series([None] * len(X), dtype=object)
    X_res, y_res = GANOversampler(random_state=0, **FAST).fit_resample(X, y)
    check_synthetic(X, X_res, y, y_res)


def test_object_array_stays_object():
    X, y = mixed_table()
    array = X[["city", "age", "income"]].to_numpy(dtype=object)
    X_res, _ = GANOversampler(random_state=0, **FAST).fit_resample(array, y)
    assert X_res.dtype == object and X_res.shape[1] == 3
    assert set(X_res[len(X) :, 0]) <= set(array[:, 0])


def test_categorical_features_by_name_and_none():
    X, y = mixed_table()
    X = X.drop(columns=["colour", "city"])
    sampler = GANOversampler(categorical_features=["age"], random_state=0, **FAST)
    X_res, _ = sampler.fit_resample(X, y)
    assert set(X_res["age"]) <= set(X["age"])
    sampler.set_params(categorical_features=None).fit(X.astype({"member": int}), y)
    assert sampler.categorical_features_.size == 0


def test_fixed_seed_is_deterministic_and_leaves_global_state():
    X, y = mixed_table()
    np_state, torch_state = np.random.get_state()[1].copy(), torch.get_rng_state()
    first = GANOversampler(device="cpu", random_state=3, **FAST).fit_resample(X, y)[0]
    second = GANOversampler(device="cpu", random_state=3, **FAST).fit_resample(X, y)[0]
    pd.testing.assert_frame_equal(first, second)
    assert (np.random.get_state()[1] == np_state).all()
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_inf_and_unsupported_columns_are_named():
    X, y = mixed_table()
    with pytest.raises(ValueError, match="'score'"):
        GANOversampler(**FAST).fit(X.assign(score=np.inf), y)
    with pytest.raises(TypeError, match="'period'"):
        GANOversampler(**FAST).fit(
            X.assign(period=pd.period_range("2020", periods=len(X), freq="D")), y
        )


def test_datetime_columns_round_trip():
    X, y = mixed_table()
    X["when"] = pd.date_range("2024-01-01", periods=len(X), freq="h", tz="UTC")
    X_res, y_res = GANOversampler(random_state=0, **FAST).fit_resample(X, y)
    check_synthetic(X, X_res, y, y_res)


def test_conditioner_oversamples_rare_levels_within_a_class():
    X = pd.DataFrame({"c": pd.Categorical(["a"] * 95 + ["b"] * 5)})
    codec = TableCodec(categorical_mask(X, "auto"), "quantile").fit(X, 0)
    data = torch.from_numpy(codec.encode(X))
    conditioner = Conditioner(data, torch.zeros(100, dtype=torch.int64), codec.spans_)
    rng = torch.Generator().manual_seed(0)
    cls = torch.zeros(4000, dtype=torch.int64)
    level = conditioner.draw_levels(cls, rng, training=True)
    rows = conditioner.rows_of(cls, level, rng)
    cond = conditioner.condition(level)
    assert torch.equal(data[rows].argmax(1), cond.argmax(1))
    # log(1 + 5) / (log(1 + 95) + log(1 + 5)) = 0.28, far above 5 / 100.
    assert 0.2 < cond[:, 1].mean() < 0.36
    level = conditioner.draw_levels(cls, rng, training=False)
    assert conditioner.condition(level)[:, 1].mean() < 0.1


def test_anchors_lie_between_a_row_and_a_class_neighbour():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {
            "x": np.r_[rng.normal(0, 1, 40), rng.normal(50, 1, 10)],
            "c": pd.Categorical(rng.choice(list("pq"), 50)),
        }
    )
    labels = torch.tensor([0] * 40 + [1] * 10)
    codec = TableCodec(categorical_mask(X, "auto"), "quantile").fit(X, 0)
    data = torch.from_numpy(codec.encode(X))
    anchors = Anchors(data, labels, codec.spans_, seed=0, k=3)
    cls = torch.ones(2000, dtype=torch.int64)
    generator = torch.Generator().manual_seed(0)
    level = anchors.conditioner.draw_levels(cls, generator, training=True)
    start, delta, step = anchors.draw(cls, level, generator).tensor_split(
        [data.shape[1], -1], dim=1
    )
    (block,) = [span for span in codec.spans_ if span.conditional]
    # The category is the conditioned level; SMOTE's point between the row
    # and its neighbour lies among rows of class 1, never near class 0.
    assert torch.equal(start[:, block.start : block.stop].argmax(1), level)
    assert not delta[:, block.start : block.stop].any()
    x = codec.decode((start + step * delta).numpy())["x"]
    assert x.between(X["x"][40:].min(), X["x"][40:].max()).all()
    assert x.nunique() > 100


def test_anchors_of_a_one_row_class_are_that_row():
    X = pd.DataFrame({"x": [0.0, 1.0, 2.0, 9.0]})
    labels = torch.tensor([0, 0, 0, 1])
    codec = TableCodec(categorical_mask(X, "auto"), "mode").fit(X, 0)
    data = torch.from_numpy(codec.encode(X))
    anchors = Anchors(data, labels, codec.spans_, seed=0, k=5)
    cls = torch.ones(50, dtype=torch.int64)
    generator = torch.Generator().manual_seed(0)
    level = anchors.conditioner.draw_levels(cls, generator, training=False)
    start, delta, _ = anchors.draw(cls, level, generator).tensor_split(
        [data.shape[1], -1], dim=1
    )
    assert torch.equal(start, data[[3] * 50]) and not delta.any()


def test_anchored_rows_stay_near_the_class_without_training():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(0, 1, (200, 3)), rng.normal(6, 0.3, (20, 3))])
    y = np.r_[np.zeros(200), np.ones(20)]
    spread = {}
    for anchor in ("neighbours", None):
        sampler = GANOversampler(anchor=anchor, random_state=0, **FAST)
        synthetic = sampler.fit_resample(X, y)[0][len(X) :]
        spread[anchor] = np.quantile(np.abs(synthetic - 6).max(axis=1), 0.8)
    assert spread["neighbours"] < 1.5 < spread[None]


@pytest.mark.parametrize("rows", [2, 20])
def test_anchored_fit_of_a_wholly_missing_table(rows):
    X = pd.DataFrame({"a": [np.nan] * rows})
    y = pd.Series([0] * (rows - rows // 4 - 1) + [1] * (rows // 4 + 1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X_res, y_res = GANOversampler(random_state=0, **FAST).fit_resample(X, y)
    assert X_res["a"].isna().all() and len(X_res) == len(y_res)
    # Synthetic rows, all missing, can only copy a training row: one warning.
    assert [str(w.message)[-38:] for w in caught] == [
        "hold few other combinations of values."
    ] * (len(X_res) > rows)


def integer_coded_table(n=120, seed=0):
    """Integer codes of a few levels: rounded anchored rows often copy real ones."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.integers(0, 4, (n, 4)), columns=list("abcd"))
    y = pd.Series(np.r_[np.zeros(n - 20), np.ones(20)].astype(int))
    return X, y


def test_synthetic_rows_copy_no_training_row_unless_asked():
    X, y = integer_coded_table()
    real = set(map(tuple, X.to_numpy()))
    copied = {}
    for reject in (True, False):
        sampler = GANOversampler(reject_copies=reject, random_state=0, **FAST)
        X_res, y_res = sampler.fit_resample(X, y)
        synthetic = X_res.iloc[len(X) :]
        assert len(synthetic) == 80 and (y_res[len(X) :] == 1).all()
        copied[reject] = np.mean([tuple(row) in real for row in synthetic.to_numpy()])
        later = sampler.sample(500, y=1).to_numpy()
        if reject:
            assert not any(tuple(row) in real for row in later)
    assert copied[True] == 0 and copied[False] > 0.2


def test_a_sampler_fitted_before_copies_were_hashed_still_samples():
    X, y = integer_coded_table()
    sampler = GANOversampler(random_state=0, **FAST).fit(X, y)
    del sampler._real_hashes, sampler.reject_copies  # as pickled by an older skgan
    assert sampler.sample(30, y=1).shape == (30, 4)


def test_a_class_with_no_row_left_to_draw_keeps_copies_with_a_warning():
    # Every value of the single binary column is a training row.
    X = np.array([[0.0], [1.0]] * 20)
    y = np.r_[np.zeros(30), np.ones(10)]
    sampler = GANOversampler(random_state=0, **FAST)
    draws = []
    draw = sampler._draw
    sampler._draw = lambda label, n: draws.append(n) or draw(label, n)
    with pytest.warns(UserWarning, match="20 of 20 synthetic rows of class 1.0 copy"):
        X_res, _ = sampler.fit_resample(X, y)
    assert set(X_res[len(X) :, 0]) <= {0.0, 1.0} and len(X_res) == 60
    # A redraw that finds no other row ends the redraws.
    assert draws == [20, max(_MIN_REDRAW, 20 * 20 * 1.2)]


def rarely_novel_sampler(novel_share):
    """A fitted sampler whose draws copy a training row of class 1, but for
    ``novel_share`` of them, which hold a 9 in column a; and its draw sizes."""
    X, y = integer_coded_table()
    sampler = GANOversampler(random_state=0, **FAST).fit(X, y)
    real = X.to_numpy()[y.to_numpy() == 1]
    rng = np.random.default_rng(0)
    draws = []

    def draw(label, n):
        draws.append(n)
        rows = real[rng.integers(len(real), size=n)].copy()
        rows[rng.random(n) < novel_share, 0] = 9  # no training row holds a 9
        return pd.DataFrame(rows, columns=X.columns)

    sampler._draw = draw
    return sampler, draws


def test_redraws_find_the_last_missing_rows_where_few_rows_are_novel():
    # Rows novel 3% of the time, below the share the redraws assume: rounds
    # shrink with the missing rows, and a round for the last few must still be
    # large enough to find them.
    sampler, draws = rarely_novel_sampler(0.03)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rows = sampler.sample(200, y=1)
    assert (rows["a"] == 9).all() and len(rows) == 200
    assert min(draws[1:]) >= _MIN_REDRAW


def test_a_redraw_round_draws_at_most_max_round_rows(monkeypatch):
    # Rows novel 1% of the time would call for rounds of 24 times the missing
    # rows; each round stays within the bound, and rounds go on while they
    # find rows.
    monkeypatch.setattr(_oversampler, "_MAX_ROUND", 5_000)
    sampler, draws = rarely_novel_sampler(0.01)
    with pytest.warns(UserWarning, match="synthetic rows of class 1 copy"):
        rows = sampler.sample(2_000, y=1)
    assert len(rows) == 2_000 and max(draws) == 5_000
    assert len(draws) == 1 + _MAX_REDRAWS
    assert (rows["a"] == 9).sum() > 400


def test_anchored_values_lie_in_the_middle_of_the_way_between_neighbours():
    # Two-row class: every synthetic value lies between the two rows, at
    # least SHARE_MARGIN of the way from either, so no row copies a real one.
    X = np.array([[0.5, 0.5]] * 30 + [[10.5, 20.5], [12.5, 26.5]])
    y = np.r_[np.zeros(30), np.ones(2)]
    sampler = GANOversampler(random_state=0, **FAST)
    synthetic = sampler.fit_resample(X, y)[0][len(X) :]
    low, high = np.array([10.5, 20.5]), np.array([12.5, 26.5])
    margin = SHARE_MARGIN * (high - low) - 1e-9
    assert (synthetic >= low + margin).all() and (synthetic <= high - margin).all()


def test_anchored_images_lie_between_two_images_of_their_class():
    # A two-image class: every synthetic pixel lies between the two images'
    # values at that pixel, as a SMOTE-drawn image would.
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (32, 4, 4)).astype(np.uint8)
    labels = np.r_[np.zeros(30), np.ones(2)]
    sampler = GANOversampler(anchor="neighbours", random_state=0, **FAST)
    synthetic = sampler.fit_resample(images, labels)[0][len(images) :]
    assert sampler.config_.anchor and synthetic.dtype == np.uint8
    low, high = images[30:].min(axis=0), images[30:].max(axis=0)
    assert ((synthetic >= low) & (synthetic <= high)).all()


def test_images_are_generated_from_noise_unless_anchored_as_rows():
    images = np.random.default_rng(0).random((20, 4, 4))
    labels = np.r_[np.zeros(14), np.ones(6)]
    assert not GANOversampler(**FAST).fit(images, labels).config_.anchor
    for params in ({"network": "conv"}, {"augment": "translation"}):
        with pytest.raises(ValueError, match="anchor='neighbours' on images needs"):
            GANOversampler(anchor="neighbours", **params, **FAST).fit(images, labels)


def test_gumbel_softmax_uses_only_the_local_generator():
    state = torch.get_rng_state()
    logits = torch.tensor([[0.0, 2.0, -1.0]]).repeat(5000, 1)
    draws = gumbel_softmax(logits, torch.Generator().manual_seed(0)).argmax(1)
    assert torch.equal(torch.get_rng_state(), state)
    expected = torch.softmax(logits[0], 0)
    observed = torch.bincount(draws, minlength=3) / len(draws)
    assert torch.allclose(observed, expected, atol=0.03)


@st.composite
def frames(draw):
    n = draw(st.integers(24, 48))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    kinds = draw(
        st.lists(
            st.sampled_from(["float", "int", "cat", "str", "bool", "Int64"]),
            min_size=1,
            max_size=4,
        )
    )
    columns = {}
    for i, kind in enumerate(kinds):
        values = {
            "float": lambda: rng.normal(size=n),
            "int": lambda: rng.integers(-5, 5, n),
            "cat": lambda: pd.Categorical(rng.choice(list("pqr"), n)),
            "str": lambda: pd.Series(rng.choice(list("xyz"), n), dtype="string"),
            "bool": lambda: rng.random(n) < 0.5,
            "Int64": lambda: pd.array(rng.integers(0, 9, n), dtype="Int64"),
        }[kind]()
        columns[f"{kind}{i}"] = pd.Series(values)
        if kind not in ("int", "bool") and draw(st.booleans()):
            columns[f"{kind}{i}"][rng.random(n) < 0.25] = None
    y = pd.Series(np.where(np.arange(n) < n // 4, 1, 0))
    return pd.DataFrame(columns), y, seed


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_random_mixed_frames(case):
    X, y, seed = case
    sampler = GANOversampler(random_state=seed, **FAST)
    X_res, y_res = sampler.fit_resample(X, y)
    check_synthetic(X, X_res, y, pd.Series(y_res))
    again = GANOversampler(random_state=seed, **FAST).fit_resample(X, y)[0]
    pd.testing.assert_frame_equal(X_res, again)


def test_pickled_sampler_samples_mixed_rows():
    X, y = mixed_table()
    sampler = GANOversampler(random_state=0, **FAST).fit(X, y)
    restored = pickle.loads(pickle.dumps(sampler))
    rows = restored.sample(7, y="rare")
    pd.testing.assert_series_equal(rows.dtypes, X.dtypes)
    pd.testing.assert_frame_equal(rows, sampler.sample(7, y="rare"))


def one_hot_float_table(n=120, seed=0):
    """A four-level one-hot code in float columns, beside a numeric column;
    the minority class is too small for a row's neighbours to share its level."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(np.eye(4)[np.arange(n) % 4], columns=list("abcd"))
    X["x"] = rng.normal(size=n)
    return X, pd.Series((np.arange(n) < 8).astype(int))


def test_one_hot_codes_are_found_in_adjacent_zero_one_columns():
    X, _ = one_hot_float_table()
    X["e"] = X["a"]  # 0/1, but a row may hold a 1 in both a and e
    X["f"] = 1 - X["e"]  # with e, a code whose levels are both named
    X["g"] = X["b"] * 2  # two values, but not 0 and 1
    spans = TableCodec(categorical_mask(X, "auto"), "standard").fit(X, 0).spans_
    codes = [s.one_hot_code for s in spans]
    assert codes == [0, 0, 0, 0, None, 1, 1, None]


def test_one_hot_codes_in_float_columns_stay_one_level():
    # The columns of a one-hot code share one step between a row and its
    # neighbour, so once rounded the code is one level, not zero or two,
    # whatever the generator's outputs for the single columns.
    X, y = one_hot_float_table()
    sampler = GANOversampler(random_state=0, **FAST).fit(X, y)
    with torch.no_grad():
        sampler.generator_.body[-1].bias[:4] = torch.tensor([4.0, -4.0, 4.0, -4.0])
    rows = sampler.sample(500, y=1)
    assert (rows[list("abcd")].sum(axis=1) == 1).all()
