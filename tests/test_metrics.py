import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from skgan.metrics import (
    c2st_auc,
    column_distances,
    correlation_distance,
    dcr_ratio,
    distance_to_closest_record,
    exact_copy_rate,
    holdout_c2st_auc,
    is_categorical,
    tstr_score,
)

pytestmark = pytest.mark.usefixtures("one_blas_thread")


@pytest.fixture
def mixed():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=300),
            "n": rng.integers(0, 5, size=300),
            "c": pd.Categorical(rng.choice(list("abc"), size=300)),
            "s": rng.choice(["u", "v"], size=300).astype(object),
        }
    )
    frame.loc[::7, "x"] = np.nan
    frame.loc[::5, "s"] = None
    return frame


def test_c2st_same_distribution_is_near_half():
    rng = np.random.default_rng(0)
    auc = c2st_auc(rng.normal(size=(400, 3)), rng.normal(size=(400, 3)), random_state=0)
    assert abs(auc - 0.5) < 0.08


def test_c2st_disjoint_distributions_is_near_one():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(200, 3)), rng.normal(8.0, 1.0, size=(200, 3))
    assert c2st_auc(real, fake, n_splits=3, random_state=0) > 0.99


def test_c2st_separates_on_a_categorical_column_alone(mixed):
    fake = mixed.copy()
    fake["c"] = pd.Categorical(["z"] * len(fake))
    assert c2st_auc(mixed, fake, n_splits=3, random_state=0) > 0.99


def test_c2st_mixed_same_distribution(mixed):
    first, second = mixed.iloc[::2], mixed.iloc[1::2]
    assert abs(c2st_auc(first, second, n_splits=3, random_state=0) - 0.5) < 0.12


def test_holdout_c2st_scores_copies_like_fresh_draws():
    # Copies of the fitted rows: the in-sample C2ST falls far below 0.5,
    # against unseen rows of the same distribution it is about 0.5.
    rng = np.random.default_rng(0)
    seen, unseen = rng.normal(size=(600, 3)), rng.normal(size=(400, 3))
    copies = seen.copy()
    assert c2st_auc(seen, copies, random_state=0) < 0.35
    held = holdout_c2st_auc(unseen, np.zeros(400), copies, np.zeros(600))
    assert 0.4 < held[0] < 0.6


def test_holdout_c2st_per_class_with_few_held_out_rows():
    rng = np.random.default_rng(1)
    holdout = rng.normal(size=(13, 2))
    y_holdout = np.r_[np.zeros(10, dtype=int), [1, 1, 2]]
    synthetic = rng.normal(size=(90, 2)) + np.repeat([[0, 0], [6, 6], [0, 0]], 30, 0)
    y_synthetic = np.repeat([2, 1, 0], 30)
    aucs = holdout_c2st_auc(holdout, y_holdout, synthetic, y_synthetic, random_state=0)
    # Order of the synthetic labels; a class of 1 held-out row has no score.
    assert list(aucs) == [2, 1, 0] and np.isnan(aucs[2])
    assert aucs[1] == 1.0 and aucs[0] < 0.8
    with pytest.raises(ValueError, match="`X_synthetic` has 90 rows but its labels"):
        holdout_c2st_auc(holdout, y_holdout, synthetic, y_synthetic[:-1])


def test_c2st_needs_rows_for_folds():
    with pytest.raises(ValueError, match="n_splits"):
        c2st_auc(np.zeros((3, 2)), np.ones((10, 2)), n_splits=5)


@pytest.mark.parametrize(
    "metric",
    [
        c2st_auc,
        column_distances,
        correlation_distance,
        distance_to_closest_record,
        dcr_ratio,
        exact_copy_rate,
    ],
)
def test_mismatched_columns_name_the_column(metric, mixed):
    with pytest.raises(ValueError, match=r"\['s'\] missing"):
        metric(mixed, mixed.drop(columns="s"))
    with pytest.raises(ValueError, match=r"\['extra'\] not in"):
        metric(mixed, mixed.assign(extra=1.0))


def test_ks_matches_hand_computed_and_scipy():
    stats = pytest.importorskip("scipy.stats")
    real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]})
    fake = pd.DataFrame({"x": [3.0, 4.0, 5.0, 6.0]})
    assert column_distances(real, fake)["x"] == 0.5
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(150, 1)), rng.normal(0.3, 1.0, size=(90, 1))
    assert column_distances(a, b)[0] == pytest.approx(
        stats.ks_2samp(a[:, 0], b[:, 0]).statistic
    )


def test_ks_grows_with_shift():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(500, 1))
    same = column_distances(real, rng.normal(size=(500, 1)))[0]
    shifted = column_distances(real, rng.normal(1.0, 1.0, size=(500, 1)))[0]
    assert shifted > 0.3 > 0.1 > same


def test_total_variation_hand_computed():
    real = pd.DataFrame({"c": ["a", "a", "b", "b"]})
    fake = pd.DataFrame({"c": ["a", "b", "c", "c"]})
    # |0.5 - 0.25| + |0.5 - 0.25| + |0 - 0.5| = 1.0, halved.
    distances = column_distances(real, fake)
    assert distances["c"] == 0.5
    assert distances.attrs["kind"] == {"c": "tv"}


def test_total_variation_counts_missing_as_a_level():
    real = pd.DataFrame({"c": pd.Categorical(["a", "a", None, None])})
    fake = pd.DataFrame({"c": pd.Categorical(["a", "a", "a", "a"])})
    assert column_distances(real, fake)["c"] == 0.5


def test_column_distances_kinds_and_zero_for_same_rows(mixed):
    distances = column_distances(mixed, mixed.sample(frac=1.0, random_state=0))
    assert distances.attrs["kind"] == {"x": "ks", "n": "ks", "c": "tv", "s": "tv"}
    assert (distances == 0).all()


def test_correlation_distance_known_values(mixed):
    x = np.linspace(0.0, 1.0, 50)
    real = np.column_stack([x, x])
    assert correlation_distance(real, real[::-1]) == pytest.approx(0.0, abs=1e-12)
    # Correlation +1 against -1: two entries differ by 2, sqrt(8) / 2.
    assert correlation_distance(real, np.column_stack([x, x[::-1]])) == pytest.approx(
        np.sqrt(2)
    )
    assert correlation_distance(mixed, mixed.sample(frac=1.0, random_state=1)) < 1e-12


def test_correlation_distance_sees_broken_mixed_association():
    rng = np.random.default_rng(0)
    c = rng.choice(["lo", "hi"], size=400)
    real = pd.DataFrame(
        {"c": c, "x": np.where(c == "hi", 5.0, 0.0) + rng.normal(size=400)}
    )
    fake = real.assign(x=rng.permutation(real["x"].to_numpy()))
    assert correlation_distance(real, fake) > 0.3


def test_dcr_is_zero_for_copies_and_scaled_distance_otherwise(mixed):
    copies = mixed.sample(50, random_state=0)
    assert np.array_equal(distance_to_closest_record(mixed, copies), np.zeros(50))
    real = pd.DataFrame({"x": [0.0, 10.0]})
    # Numeric columns are scaled by the real range (10): 5 -> 0.5 from both rows.
    assert distance_to_closest_record(
        real, pd.DataFrame({"x": [5.0]})
    ) == pytest.approx([0.5])


def test_dcr_ratio():
    real = np.arange(10.0).reshape(-1, 1)
    assert dcr_ratio(real, real.copy()) == 0.0
    # Midpoints sit half a real spacing away from the nearest real row.
    assert dcr_ratio(real, real[:-1] + 0.5) == pytest.approx(0.5)


def test_exact_copy_rate_on_constructed_rows(mixed):
    real = mixed.iloc[:100]
    fresh = real.iloc[:25].assign(x=1e6)
    synthetic = pd.concat([real.iloc[25:100], fresh], ignore_index=True)
    assert exact_copy_rate(real, synthetic) == 0.75
    # Copies that only differ in dtype (int vs float, object vs category) still count.
    recast = real.astype({"n": float, "s": "category"})
    assert exact_copy_rate(real, recast) == 1.0


def test_tstr_score():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 100)
    X = pd.DataFrame(rng.normal(size=(200, 2)) + 4 * y[:, None], columns=["a", "b"])
    assert tstr_score(X, y, X, y) == 1.0
    flipped = tstr_score(
        X, 1 - y, X, y, estimator=LogisticRegression(), scoring="accuracy"
    )
    assert flipped < 0.05


def test_tstr_score_mixed_and_length_check(mixed):
    y = (mixed["c"] == "a").to_numpy()
    assert tstr_score(mixed, y, mixed, y) > 0.95
    with pytest.raises(ValueError, match="matching lengths"):
        tstr_score(mixed, y[:-1], mixed, y)


def test_one_categorical_rule_for_codec_metrics_and_benchmark():
    from skgan._codec import categorical_mask
    from skgan.benchmark import categorical_columns

    X = pd.DataFrame(
        {
            "flag": [True, False, True],
            "nullable": pd.array([True, None, False], dtype="boolean"),
            "text": ["a", "b", "a"],
            "level": pd.Categorical([1, 2, 1]),
            "x": [0.5, 1.5, 2.5],
            "count": pd.array([1, None, 3], dtype="Int64"),
            "when": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-02-01"]),
        }
    )
    expected = ["flag", "nullable", "text", "level"]
    assert [c for c in X.columns if is_categorical(X[c])] == expected
    assert X.columns[categorical_mask(X, "auto")].tolist() == expected
    assert categorical_columns(X) == expected
    objects = np.array([["a", 1.0], ["b", 2.0]], dtype=object)
    assert [is_categorical(objects[:, j]) for j in range(2)] == [True, False]


def test_datetimes_are_compared_as_numbers():
    # Timestamps are ordered values: KS distance, not level frequencies.
    days = pd.DataFrame({"when": pd.date_range("2024-01-01", periods=50, freq="D")})
    later = days + pd.Timedelta(days=25)
    distances = column_distances(days, later)
    assert distances.attrs["kind"] == {"when": "ks"}
    assert distances["when"] == pytest.approx(0.5)
    assert exact_copy_rate(days, later) == pytest.approx(0.5)
