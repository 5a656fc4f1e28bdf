"""The table codec: column selection, encoding, decoding and restoring dtypes."""

import numpy as np
import pandas as pd
import pytest

from skgan._codec import MAX_LEVELS, TableCodec, categorical_mask


def mixed_frame(n=200, seed=0):
    rng = np.random.default_rng(seed)
    gaps = rng.random(n) < 0.2
    frame = pd.DataFrame(
        {
            "cat": pd.Categorical(
                rng.choice(["b", "a", "c"], n), categories=list("cab")
            ),
            "obj": pd.Series(rng.choice(["x", "y"], n), dtype=object),
            "text": pd.Series(rng.choice(["u", "v"], n), dtype="string"),
            "flag": rng.random(n) < 0.3,
            "nullable_flag": pd.array(rng.random(n) < 0.5, dtype="boolean"),
            "count": rng.integers(0, 50, n),
            "nullable_count": pd.array(rng.integers(-3, 3, n), dtype="Int64"),
            "small": rng.normal(size=n).astype(np.float32),
            "skewed": rng.lognormal(size=n),
            "when": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 10**6, n), unit="s"),
            "empty": np.full(n, np.nan),
        }
    )
    frame.loc[gaps, "obj"] = None
    frame.loc[gaps, "text"] = pd.NA
    frame.loc[gaps, "skewed"] = np.nan
    frame.loc[gaps, "nullable_count"] = pd.NA
    return frame


def fitted(X, numeric="quantile"):
    return TableCodec(categorical_mask(X, "auto"), numeric).fit(X, random_state=0)


@pytest.mark.parametrize("numeric", ["standard", "quantile", "mode"])
def test_round_trip_restores_values_dtypes_and_markers(numeric):
    X = mixed_frame()
    codec = fitted(X, numeric)
    decoded = codec.decode(codec.encode(X))
    pd.testing.assert_series_equal(decoded.dtypes, X.dtypes)
    for column in ["cat", "obj", "text", "flag", "nullable_flag", "count"]:
        pd.testing.assert_series_equal(decoded[column], X[column])
    assert decoded["obj"][X["obj"].isna()].map(lambda v: v is None).all()
    np.testing.assert_allclose(decoded["skewed"], X["skewed"], rtol=1e-4)
    assert decoded["empty"].isna().all()


@pytest.mark.parametrize("numeric", ["standard", "quantile", "mode"])
def test_few_valued_float_columns_come_back_exactly(numeric):
    # Float32 model noise must not turn 0.5 into 0.50000002, a value no real
    # row holds; values between the levels stay where the model puts them.
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {
            "binary": rng.choice([0.5, 1.0], 300),
            "three": rng.choice([0.0, 0.5, 0.83], 300),
            "smooth": rng.normal(size=300) * 1e3,
        }
    )
    codec = fitted(X, numeric)
    encoded = codec.encode(X).astype(np.float32)
    noisy = encoded + np.float32(1e-6) * rng.standard_normal(encoded.shape)
    decoded = codec.decode(noisy.astype(np.float32))
    pd.testing.assert_frame_equal(decoded[["binary", "three"]], X[["binary", "three"]])
    np.testing.assert_allclose(decoded["smooth"], X["smooth"], rtol=1e-3)
    if numeric == "standard":  # a model value of 0 is the mean, 0.75
        between = codec.decode(np.zeros_like(encoded[:5]))["binary"]
        assert not between.isin([0.5, 1.0]).any()


def test_auto_selects_text_bool_and_category_columns():
    X = mixed_frame()
    assert categorical_mask(X, "auto").tolist() == [True] * 5 + [False] * 6
    array = np.array([["a", 1.0], [None, 2.0], ["b", np.nan]], dtype=object)
    assert categorical_mask(array, "auto").tolist() == [True, False]


@pytest.mark.parametrize(
    "features", [[0, 2], ["cat", "text"], [True, False, True] + [False] * 8]
)
def test_explicit_categorical_features(features):
    mask = categorical_mask(mixed_frame(), features)
    assert np.flatnonzero(mask).tolist() == [0, 2]


@pytest.mark.parametrize(
    "features, message",
    [([11], "out of range"), (["nope"], "nope"), ([True, False], "length 2")],
)
def test_bad_categorical_features_are_named(features, message):
    with pytest.raises(ValueError, match=message):
        categorical_mask(mixed_frame(), features)


def test_spans_describe_the_model_columns():
    codec = fitted(mixed_frame())
    assert codec.width == codec.encode(mixed_frame()).shape[1]
    conditional = [s for s in codec.spans_ if s.conditional]
    # cat: 3 levels; obj, text: 2 levels + missing; flag, nullable_flag: 2.
    assert [s.stop - s.start for s in conditional] == [3, 3, 3, 2, 2]
    assert all(s.kind == "discrete" for s in conditional)


def test_high_cardinality_is_bounded_and_emits_known_levels():
    rng = np.random.default_rng(0)
    levels = np.array([f"level{i}" for i in range(3000)], dtype=object)
    X = pd.DataFrame({"id": levels[rng.zipf(1.3, 5000) % 3000]})
    codec = fitted(X)
    assert codec.width == MAX_LEVELS
    decoded = codec.decode(rng.normal(size=(2000, codec.width)))
    assert set(decoded["id"]) <= set(X["id"])
    assert decoded["id"].nunique() > MAX_LEVELS


def test_decoded_values_stay_in_range_and_integral():
    X = mixed_frame()
    codec = fitted(X, "mode")
    decoded = codec.decode(np.random.default_rng(0).normal(size=(500, codec.width)) * 3)
    assert decoded["count"].between(X["count"].min(), X["count"].max()).all()
    assert decoded["small"].between(X["small"].min(), X["small"].max()).all()
    assert decoded["when"].between(X["when"].min(), X["when"].max()).all()
    assert not decoded["count"].isna().any()


def test_infinite_values_are_refused_naming_the_column():
    X = pd.DataFrame({"ok": [1.0, 2.0], "bad": [1.0, np.inf]})
    with pytest.raises(ValueError, match="'bad'"):
        fitted(X)


def test_unsupported_dtype_is_refused_naming_the_column():
    X = pd.DataFrame({"span": pd.period_range("2020", periods=3, freq="D")})
    with pytest.raises(TypeError, match="'span'"):
        TableCodec(np.array([False]), "quantile").fit(X, random_state=0)


def test_standard_encoding_is_linear():
    X = pd.DataFrame({"x": [1.0, 2.0, 4.0, 9.0], "constant": 3.0})
    codec = fitted(X, "standard")
    encoded = codec.encode(X)
    midpoint = (encoded[0] + encoded[3]) / 2
    decoded = codec.decode(midpoint[None, :])
    assert decoded["x"].item() == pytest.approx(5.0)
    assert decoded["constant"].item() == pytest.approx(3.0)
