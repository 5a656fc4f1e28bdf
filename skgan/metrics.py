"""Fidelity, utility and privacy scores for synthetic tables.

Every function compares a *real* table with a *synthetic* one that has the
same columns. Both may be 2-D ndarrays or DataFrames; DataFrames may mix
numeric (datetimes and durations included, compared in nanoseconds) and
categorical columns (:func:`is_categorical`: category, object, string or bool)
and may contain missing values.
"""

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import get_scorer
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import NearestNeighbors

from ._codec import MISSING_TEXT, float_values, is_categorical, row_hashes

__all__ = [
    "c2st_auc",
    "holdout_c2st_auc",
    "column_distances",
    "correlation_distance",
    "distance_to_closest_record",
    "dcr_ratio",
    "exact_copy_rate",
    "tstr_score",
    "is_categorical",
]

# HistGradientBoostingClassifier bins a categorical feature into at most
# 255 categories; beyond that its integer codes are used as a numeric feature.
_MAX_NATIVE_CATEGORIES = 255


def _as_frame(data, name):
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame()
    array = np.asarray(data)
    if array.ndim != 2:
        raise ValueError(f"`{name}` must be 2-D, got an array of shape {array.shape}.")
    return pd.DataFrame(array)


def _align(real, synthetic):
    """Return both tables as DataFrames with the real table's column order.

    A column present in one table only is an error that names it, because a
    silently dropped column would make every score look better than it is.
    """
    real = _as_frame(real, "real")
    synthetic = _as_frame(synthetic, "synthetic")
    missing = [c for c in real.columns if c not in synthetic.columns]
    extra = [c for c in synthetic.columns if c not in real.columns]
    if missing or extra:
        raise ValueError(
            "`real` and `synthetic` must have the same columns; "
            f"column(s) {missing} missing from `synthetic`, "
            f"column(s) {extra} not in `real`."
        )
    if len(real) == 0 or len(synthetic) == 0:
        raise ValueError("`real` and `synthetic` must each contain at least one row.")
    return real.reset_index(drop=True), synthetic[real.columns].reset_index(drop=True)


def _categorical_columns(real, synthetic):
    # A column is categorical if either table stores it as such, so that a
    # generator returning codes for a string column is still compared by level.
    return [
        c
        for c in real.columns
        if is_categorical(real[c]) or is_categorical(synthetic[c])
    ]


def _levels(real_column, synthetic_column):
    """Both columns as categoricals over their union of levels, missing included."""
    values = [
        col.astype(object).where(col.notna(), MISSING_TEXT).astype(str)
        for col in (real_column, synthetic_column)
    ]
    categories = pd.Index(np.union1d(values[0].unique(), values[1].unique()))
    return [pd.Categorical(v, categories=categories) for v in values]


def _ordinal_encode(real, synthetic):
    """Float matrices with categorical columns as shared integer codes.

    Returns the two matrices and a boolean mask of the columns that
    gradient boosting may treat as native categories.
    """
    categorical = set(_categorical_columns(real, synthetic))
    columns_real, columns_syn, mask = [], [], []
    for column in real.columns:
        if column in categorical:
            cat_real, cat_syn = _levels(real[column], synthetic[column])
            columns_real.append(cat_real.codes.astype(float))
            columns_syn.append(cat_syn.codes.astype(float))
            mask.append(len(cat_real.categories) <= _MAX_NATIVE_CATEGORIES)
        else:
            columns_real.append(float_values(real[column]))
            columns_syn.append(float_values(synthetic[column]))
            mask.append(False)
    return np.column_stack(columns_real), np.column_stack(columns_syn), np.array(mask)


def c2st_auc(real, synthetic, *, n_splits=5, random_state=None):
    """Classifier two-sample test: how well can real rows be told from synthetic ones.

    A :class:`~sklearn.ensemble.HistGradientBoostingClassifier` learns to
    separate real (label 0) from synthetic (label 1) rows; the score is its
    ROC-AUC averaged over stratified folds. Categorical columns are ordinal
    encoded and handled as native categories, missing values natively.

    Parameters
    ----------
    real : ndarray or DataFrame of shape (n_real, n_features)
        Real rows.
    synthetic : ndarray or DataFrame of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.
    n_splits : int, default=5
        Number of stratified folds; both tables need at least this many rows.
    random_state : int, RandomState instance or None, default=None
        Seeds the fold shuffling and the classifier.

    Returns
    -------
    auc : float
        Mean ROC-AUC over folds: about 0.5 when the two tables come from the
        same distribution, close to 1.0 when every row can be told apart.
        Values well below 0.5 flag synthetic rows that copy real ones: the
        classifier sees each copy with the opposite label in training.

    Examples
    --------
    >>> import numpy as np
    >>> from skgan.metrics import c2st_auc
    >>> rng = np.random.default_rng(0)
    >>> real, far = rng.normal(size=(60, 3)), rng.normal(10, 1, size=(60, 3))
    >>> round(c2st_auc(real, far, n_splits=3, random_state=0), 2)
    1.0
    """
    return _c2st(real, synthetic, n_splits, random_state)


def _c2st(real, synthetic, n_splits, random_state, balanced=False):
    real, synthetic = _align(real, synthetic)
    if not isinstance(n_splits, (int, np.integer)) or n_splits < 2:
        raise ValueError(f"`n_splits` must be an integer >= 2, got {n_splits!r}.")
    if min(len(real), len(synthetic)) < n_splits:
        raise ValueError(
            f"`n_splits`={n_splits} needs at least that many rows in each table; "
            f"got {len(real)} real and {len(synthetic)} synthetic rows."
        )
    codes_real, codes_syn, native = _ordinal_encode(real, synthetic)
    features = np.vstack([codes_real, codes_syn])
    labels = np.r_[np.zeros(len(real)), np.ones(len(synthetic))]
    # Balanced, for small held-out classes: both sides weigh alike, and leaves
    # may hold a quarter of the real rows, or no split could ever isolate them
    # (the default needs 20).
    model = HistGradientBoostingClassifier(
        categorical_features=native if native.any() else None,
        class_weight="balanced" if balanced else None,
        min_samples_leaf=max(1, min(20, len(real) // 4)) if balanced else 20,
        random_state=random_state,
    )
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    return float(
        cross_val_score(model, features, labels, cv=folds, scoring="roc_auc").mean()
    )


def holdout_c2st_auc(
    X_holdout, y_holdout, X_synthetic, y_synthetic, *, n_splits=5, random_state=None
):
    """C2ST of each class's synthetic rows against real rows the sampler never saw.

    :func:`c2st_auc` against the rows a sampler was fitted on rewards copies
    of them (its AUC falls below 0.5). Against held-out rows of the class,
    such as a test fold, a copy is one more draw from the real distribution
    and scores like one, so samplers compare on how well they generalise.
    Held-out classes are usually small, so the two sides are weighted
    equally (``class_weight="balanced"``), a leaf of the classifier may hold
    as few as a quarter of the held-out rows, and the folds are as many as
    the smaller side allows, at most ``n_splits``.

    Parameters
    ----------
    X_holdout : ndarray or DataFrame of shape (n_holdout, n_features)
        Real rows the sampler did not see.
    y_holdout : array-like of shape (n_holdout,)
        Their labels.
    X_synthetic : ndarray or DataFrame of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.
    y_synthetic : array-like of shape (n_synthetic,)
        The labels they were generated for.
    n_splits : int, default=5
        Largest number of stratified folds per class.
    random_state : int, RandomState instance or None, default=None
        Seeds the fold shuffling and the classifier.

    Returns
    -------
    aucs : dict
        For every label of ``y_synthetic``, in order of first appearance, the
        mean ROC-AUC over folds (about 0.5: indistinguishable from unseen
        real rows); NaN where the class has fewer than 2 held-out or
        synthetic rows.

    Examples
    --------
    >>> import numpy as np
    >>> from skgan.metrics import holdout_c2st_auc
    >>> rng = np.random.default_rng(0)
    >>> holdout, y_holdout = rng.normal(size=(60, 2)), np.repeat([0, 1], 30)
    >>> synthetic, y_synthetic = rng.normal(size=(200, 2)), np.repeat([0, 1], 100)
    >>> synthetic[y_synthetic == 1] += 3  # class 1 generated in the wrong place
    >>> aucs = holdout_c2st_auc(holdout, y_holdout, synthetic, y_synthetic,
    ...                         random_state=0)
    >>> {int(label): bool(auc > 0.9) for label, auc in aucs.items()}
    {0: False, 1: True}
    """
    for name, X, y in (
        ("X_holdout", X_holdout, y_holdout),
        ("X_synthetic", X_synthetic, y_synthetic),
    ):
        if len(X) != len(y):
            raise ValueError(
                f"`{name}` has {len(X)} rows but its labels have {len(y)}."
            )
    X_holdout, X_synthetic = _align(X_holdout, X_synthetic)
    y_holdout, y_synthetic = np.asarray(y_holdout), np.asarray(y_synthetic)
    aucs = {}
    for label in pd.unique(y_synthetic):
        real = X_holdout[y_holdout == label]
        fake = X_synthetic[y_synthetic == label]
        folds = min(n_splits, len(real), len(fake))
        aucs[label] = (
            _c2st(real, fake, folds, random_state, balanced=True)
            if folds >= 2
            else np.nan
        )
    return aucs


def _ks_statistic(a, b):
    """Two-sample Kolmogorov-Smirnov statistic, sup |F_a - F_b|."""
    a, b = np.sort(a), np.sort(b)
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / len(a)
    cdf_b = np.searchsorted(b, grid, side="right") / len(b)
    return float(np.max(np.abs(cdf_a - cdf_b)))


def _total_variation(real_column, synthetic_column):
    """Half the L1 distance between the two level frequency vectors."""
    cat_real, cat_syn = _levels(real_column, synthetic_column)
    p = pd.Series(cat_real).value_counts(normalize=True, sort=False)
    q = pd.Series(cat_syn).value_counts(normalize=True, sort=False)
    return float(0.5 * np.abs(p.to_numpy() - q.to_numpy()).sum())


def column_distances(real, synthetic):
    """Per-column distance between the real and synthetic marginals.

    Numeric columns get the two-sample Kolmogorov-Smirnov statistic on their
    non-missing values (a column missing entirely in one table gets 1.0).
    Categorical columns get the total-variation distance between level
    frequencies, with "missing" counted as one more level.

    Parameters
    ----------
    real : ndarray or DataFrame of shape (n_real, n_features)
        Real rows.
    synthetic : ndarray or DataFrame of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.

    Returns
    -------
    distances : Series of shape (n_features,)
        Distance in [0, 1] per column, indexed by column name; 0 means equal
        marginals. Its ``attrs["kind"]`` maps each column to ``"ks"`` or ``"tv"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgan.metrics import column_distances
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": list("aabb")})
    >>> fake = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": list("aaab")})
    >>> column_distances(real, fake).to_dict()
    {'x': 0.0, 'c': 0.25}
    """
    real, synthetic = _align(real, synthetic)
    categorical = set(_categorical_columns(real, synthetic))
    values, kinds = {}, {}
    for column in real.columns:
        if column in categorical:
            values[column], kinds[column] = (
                _total_variation(real[column], synthetic[column]),
                "tv",
            )
            continue
        a, b = float_values(real[column]), float_values(synthetic[column])
        a, b = a[~np.isnan(a)], b[~np.isnan(b)]
        values[column] = (
            _ks_statistic(a, b) if len(a) and len(b) else float(len(a) != len(b))
        )
        kinds[column] = "ks"
    distances = pd.Series(values, dtype=float, name="distance")
    distances.attrs["kind"] = kinds
    return distances


def _numeric_encode(real, synthetic, *, impute):
    """Both tables as float matrices for correlations and distances.

    Numeric columns are min-max scaled by the real column's range so every
    column weighs alike in a distance; a numeric column with missing values
    in either table gains a 0/1 missing indicator, and with ``impute`` its
    gaps are filled with the real median. Categorical columns are one-hot
    encoded over the union of levels, missing being a level of its own.
    """
    categorical = set(_categorical_columns(real, synthetic))
    blocks_real, blocks_syn = [], []
    for column in real.columns:
        if column in categorical:
            cat_real, cat_syn = _levels(real[column], synthetic[column])
            eye = np.eye(len(cat_real.categories))
            blocks_real.append(eye[cat_real.codes])
            blocks_syn.append(eye[cat_syn.codes])
            continue
        a, b = float_values(real[column]), float_values(synthetic[column])
        low, high = (np.nanmin(a), np.nanmax(a)) if np.isfinite(a).any() else (0.0, 1.0)
        span = high - low if high > low else 1.0
        a, b = (a - low) / span, (b - low) / span
        if np.isnan(a).any() or np.isnan(b).any():
            blocks_real.append(np.isnan(a)[:, None].astype(float))
            blocks_syn.append(np.isnan(b)[:, None].astype(float))
            if impute:
                fill = np.nanmedian(a) if np.isfinite(a).any() else 0.0
                a, b = np.where(np.isnan(a), fill, a), np.where(np.isnan(b), fill, b)
        blocks_real.append(a[:, None])
        blocks_syn.append(b[:, None])
    return np.hstack(blocks_real), np.hstack(blocks_syn)


def correlation_distance(real, synthetic):
    """Distance between the correlation matrices of the real and synthetic tables.

    Both tables are encoded alike: numeric columns as they are (plus a 0/1
    missing indicator where a table has gaps), categorical columns one-hot
    over the union of their levels with missing as a level. On these ``p``
    encoded columns each table gets a Pearson correlation matrix, computed
    on pairwise complete rows; a column constant in a table correlates 0
    with every other. Numeric-numeric entries are thus Pearson correlations,
    numeric-categorical entries point-biserial correlations per level and
    categorical-categorical entries phi coefficients per pair of levels.

    Parameters
    ----------
    real : ndarray or DataFrame of shape (n_real, n_features)
        Real rows.
    synthetic : ndarray or DataFrame of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.

    Returns
    -------
    distance : float
        ``||C_real - C_synthetic||_F / p``, the root mean square difference
        over all ``p * p`` entries; 0 for equal correlation structure, at
        most 2.

    Examples
    --------
    >>> import numpy as np
    >>> from skgan.metrics import correlation_distance
    >>> x = np.linspace(0, 1, 50)
    >>> real = np.column_stack([x, x])
    >>> flipped = np.column_stack([x, x[::-1]])
    >>> round(correlation_distance(real, flipped), 3)
    1.414
    """
    real, synthetic = _align(real, synthetic)
    encoded = _numeric_encode(real, synthetic, impute=False)
    # pandas computes correlations on pairwise complete observations.
    real_corr, syn_corr = (
        pd.DataFrame(m).corr().fillna(0.0).to_numpy(copy=True) for m in encoded
    )
    np.fill_diagonal(real_corr, 1.0)
    np.fill_diagonal(syn_corr, 1.0)
    return float(np.linalg.norm(real_corr - syn_corr) / real_corr.shape[0])


def distance_to_closest_record(real, synthetic):
    """Distance from each synthetic row to its nearest real row (DCR).

    Rows are compared in the encoding of :func:`correlation_distance`, with
    numeric columns min-max scaled by the real range and missing numeric
    values replaced by the real median next to a missing indicator; the
    distance is Euclidean.

    Parameters
    ----------
    real : ndarray or DataFrame of shape (n_real, n_features)
        Real rows.
    synthetic : ndarray or DataFrame of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.

    Returns
    -------
    dcr : ndarray of shape (n_synthetic,)
        Distance of every synthetic row to its closest real row; 0 marks a
        copy of a real row.

    Examples
    --------
    >>> import numpy as np
    >>> from skgan.metrics import distance_to_closest_record
    >>> real = np.array([[0.0, 0.0], [1.0, 1.0]])
    >>> distance_to_closest_record(real, np.array([[0.0, 0.0], [1.0, 0.0]]))
    array([0., 1.])
    """
    real, synthetic = _align(real, synthetic)
    encoded_real, encoded_syn = _numeric_encode(real, synthetic, impute=True)
    # A k-d tree computes exact differences, so a copied row scores exactly 0.
    neighbours = NearestNeighbors(n_neighbors=1, algorithm="kd_tree").fit(encoded_real)
    return neighbours.kneighbors(encoded_syn)[0][:, 0]


def dcr_ratio(real, synthetic):
    """Median synthetic-to-real DCR over the median real-to-real neighbour distance.

    The denominator is the leave-one-out nearest-neighbour distance inside
    the real table, the spacing a fresh sample of the same distribution
    would show. A ratio near 1 means synthetic rows sit as close to real
    rows as real rows sit to each other; near 0 means they hug (or copy)
    real rows.

    Parameters
    ----------
    real : ndarray or DataFrame of shape (n_real, n_features)
        Real rows; at least two.
    synthetic : ndarray or DataFrame of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.

    Returns
    -------
    ratio : float
        The ratio of medians; ``inf`` when real rows are all duplicated
        (zero denominator) and synthetic rows are not copies, NaN when both
        medians are 0.

    Examples
    --------
    >>> import numpy as np
    >>> from skgan.metrics import dcr_ratio
    >>> real = np.arange(10.0).reshape(-1, 1)
    >>> dcr_ratio(real, real.copy())
    0.0
    """
    real, synthetic = _align(real, synthetic)
    if len(real) < 2:
        raise ValueError("`real` needs at least two rows for a leave-one-out distance.")
    encoded_real, _ = _numeric_encode(real, synthetic, impute=True)
    neighbours = NearestNeighbors(n_neighbors=2, algorithm="kd_tree").fit(encoded_real)
    # Column 0 is the row itself (or an exact duplicate, equally at distance 0).
    real_spacing = np.median(neighbours.kneighbors(encoded_real)[0][:, 1])
    synthetic_spacing = np.median(distance_to_closest_record(real, synthetic))
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(synthetic_spacing) / real_spacing)


def exact_copy_rate(real, synthetic):
    """Fraction of synthetic rows identical to some real row.

    Parameters
    ----------
    real : ndarray or DataFrame of shape (n_real, n_features)
        Real rows.
    synthetic : ndarray or DataFrame of shape (n_synthetic, n_features)
        Synthetic rows with the same columns; missing values match missing
        values.

    Returns
    -------
    rate : float
        Share of synthetic rows, in [0, 1], that copy a real row exactly.

    Examples
    --------
    >>> import numpy as np
    >>> from skgan.metrics import exact_copy_rate
    >>> real = np.array([[0.0, 1.0], [2.0, 3.0]])
    >>> synthetic = np.array([[0.0, 1.0], [2.0, 2.5], [9.0, 9.0], [2.0, 3.0]])
    >>> exact_copy_rate(real, synthetic)
    0.5
    """
    real, synthetic = _align(real, synthetic)
    categorical = set(_categorical_columns(real, synthetic))
    copied = np.isin(row_hashes(synthetic, categorical), row_hashes(real, categorical))
    return float(copied.mean())


def tstr_score(
    X_syn, y_syn, X_real, y_real, *, estimator=None, scoring="balanced_accuracy"
):
    """Train on synthetic, test on real: the utility of a synthetic table.

    Parameters
    ----------
    X_syn : ndarray or DataFrame of shape (n_synthetic, n_features)
        Synthetic features used for training.
    y_syn : array-like of shape (n_synthetic,)
        Labels of the synthetic rows.
    X_real : ndarray or DataFrame of shape (n_real, n_features)
        Real features used for testing, with the same columns.
    y_real : array-like of shape (n_real,)
        Labels of the real rows.
    estimator : classifier or None, default=None
        Unfitted scikit-learn classifier, cloned before fitting and given the
        tables as they are. None uses a
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier` on ordinal
        codes with native categorical and missing-value support.
    scoring : str or callable, default="balanced_accuracy"
        Any scikit-learn scorer name or ``scorer(estimator, X, y)`` callable.

    Returns
    -------
    score : float
        The scorer's value on the real rows.

    Examples
    --------
    >>> import numpy as np
    >>> from skgan.metrics import tstr_score
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat([0, 1], 100)
    >>> X = rng.normal(size=(200, 2)) + 4 * y[:, None]
    >>> tstr_score(X, y, X, y)
    1.0
    """
    if len(X_syn) != len(y_syn) or len(X_real) != len(y_real):
        raise ValueError(
            "`X_syn`/`y_syn` and `X_real`/`y_real` must have matching lengths; got "
            f"{len(X_syn)}/{len(y_syn)} and {len(X_real)}/{len(y_real)}."
        )
    X_real, X_syn = _align(X_real, X_syn)
    if estimator is None:
        codes_real, codes_syn, native = _ordinal_encode(X_real, X_syn)
        model = HistGradientBoostingClassifier(
            categorical_features=native if native.any() else None, random_state=0
        ).fit(codes_syn, np.asarray(y_syn))
        return float(get_scorer(scoring)(model, codes_real, np.asarray(y_real)))
    model = clone(estimator).fit(X_syn, np.asarray(y_syn))
    return float(get_scorer(scoring)(model, X_real, np.asarray(y_real)))
