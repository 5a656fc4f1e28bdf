"""Table columns <-> model tensors.

The codec turns a validated table (ndarray or DataFrame) into a dense float32
matrix the networks work in, describes that matrix as a list of spans, and turns
generated matrices back into the caller's container, dtypes, categories, value
ranges and missing markers. It knows nothing about GANs.

Every input column becomes one or more spans:

- a numeric column becomes a ``"continuous"`` span (quantile transform) or a
  ``"continuous"`` span plus a ``"discrete"`` span of mixture modes
  (mode-specific normalisation), and, when it has missing values, a two-level
  ``"discrete"`` span (observed, missing);
- a categorical column becomes a one-hot ``"discrete"`` span with one level per
  observed category (missing values being a level of their own), marked
  ``conditional`` so that training can condition on its levels.
"""

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.preprocessing import QuantileTransformer

from ._state import saveable

# One-hot spans wider than this keep the most frequent levels and pool the rest
# into one level that decodes to a frequency-weighted draw among them, so a
# column with thousands of levels costs bounded memory and time.
MAX_LEVELS = 100
# Mixture components per numeric column and EM settings of mode-specific
# normalisation, as in CTGAN (Xu et al., 2019).
_N_MODES = 10
_EM_ITERATIONS = 30
_EM_SUBSAMPLE = 2_000
# A numeric column with at most this many distinct values keeps them, so that
# a decoded value within float32 noise of one (SNAP_TOLERANCE of the column's
# range) comes back as exactly that value: otherwise a binary 0.5/1.0 column
# returns 0.50000002, which no real row holds and any tree can tell apart.
_MAX_NUMERIC_LEVELS = 1_024
_SNAP_TOLERANCE = 1e-6
# How a missing categorical value reads when rows are compared as text.
MISSING_TEXT = "<missing>"
_NUMERIC_KINDS = {
    "floating",
    "integer",
    "mixed-integer-float",
    "decimal",
    "boolean",
    "empty",
}
# A saved quantile column keeps its fitted transformer, attribute by attribute.
saveable(QuantileTransformer)


@saveable
@dataclass(frozen=True)
class Span:
    """A block of model columns that encodes part of one input column.

    ``kind`` is ``"continuous"`` for a normalised numeric value and
    ``"discrete"`` for a one-hot block that the generator emits through a
    softmax. ``conditional`` marks the discrete spans of categorical columns,
    whose levels training may condition on. ``one_hot_code`` numbers the
    one-hot code that the value of a numeric column belongs to (see
    :func:`_one_hot_codes`), ``None`` for any other span.
    """

    start: int
    stop: int
    kind: str
    conditional: bool = False
    one_hot_code: int | None = None


def categorical_mask(X, categorical_features):
    """Resolve ``categorical_features`` to a boolean mask over the columns of ``X``.

    Parameters
    ----------
    X : ndarray or DataFrame of shape (n_samples, n_features)
        The table.
    categorical_features : "auto", None, array-like of int, str or bool
        ``"auto"`` selects a DataFrame's category, object, string and bool
        columns, or the columns of an object ndarray holding any value that is
        not a number.

    Returns
    -------
    mask : ndarray of bool of shape (n_features,)
    """
    n_features = X.shape[1]
    if categorical_features is None:
        return np.zeros(n_features, dtype=bool)
    if isinstance(categorical_features, str) and categorical_features == "auto":
        return np.array([is_categorical(column) for _, column in _columns(X)])
    features = np.asarray(categorical_features)
    if features.ndim != 1:
        raise ValueError(
            "categorical_features must be 'auto', None or a 1-D array-like, got "
            f"{categorical_features!r}."
        )
    if features.dtype.kind == "b":
        if len(features) != n_features:
            raise ValueError(
                f"categorical_features is a boolean mask of length {len(features)}, "
                f"but X has {n_features} columns."
            )
        return features.copy()
    mask = np.zeros(n_features, dtype=bool)
    if features.dtype.kind in "iu":
        bad = features[(features < -n_features) | (features >= n_features)]
        if bad.size:
            raise ValueError(
                f"categorical_features holds column indices {bad.tolist()} out of "
                f"range for X with {n_features} columns."
            )
        mask[features] = True
        return mask
    names = list(X.columns) if isinstance(X, pd.DataFrame) else []
    unknown = [name for name in features.tolist() if name not in names]
    if unknown:
        raise ValueError(
            f"categorical_features names {unknown} that are not columns of X "
            f"(columns: {names})."
        )
    mask[[names.index(name) for name in features.tolist()]] = True
    return mask


@saveable
class TableCodec:
    """Encode a mixed-type table for the networks and decode generated rows.

    Parameters
    ----------
    categorical : ndarray of bool of shape (n_features,)
        Which columns are categorical.
    numeric : {"standard", "quantile", "mode"}, default="mode"
        Normalisation of numeric columns: standardisation (zero mean, unit
        variance), a quantile transform to a standard normal, or CTGAN's
        mode-specific normalisation (a Gaussian mixture per column; a value
        becomes its mode and its offset within it).
    crossover : bool, default=False
        Number every integer numeric column outside the one-hot codes (0/1
        flags included) as a code of its own, so that anchored generation
        draws it from the row or from its neighbour as it does a one-hot
        code (see ``GANOversampler``'s ``crossover``).
    """

    def __init__(self, categorical, numeric="mode", crossover=False):
        self.categorical = categorical
        self.numeric = numeric
        self.crossover = crossover

    def fit(self, X, random_state):
        """Learn the column transforms from ``X`` (ndarray or DataFrame)."""
        self.is_frame_ = isinstance(X, pd.DataFrame)
        self.columns_ = X.columns if self.is_frame_ else None
        self.dtype_ = None if self.is_frame_ else X.dtype
        self.n_rows_ = len(X)
        rng = np.random.default_rng(random_state)
        self.encode_seed_ = int(rng.integers(2**63))
        # Decoding draws pooled rare levels; successive calls continue one stream.
        self.decode_rng_ = np.random.default_rng(rng.integers(2**63))
        numeric_type = NUMERIC_ENCODINGS[self.numeric]
        self.columns_codecs_ = [
            (_CategoricalColumn if is_cat else numeric_type)(name).fit(column, rng)
            for (name, column), is_cat in zip(
                _columns(X), self.categorical, strict=True
            )
        ]
        codes = _one_hot_codes(X, self.columns_codecs_)
        if self.crossover:
            codes = _integer_codes(codes, self.columns_codecs_)
        self.spans_, start = [], 0
        for codec, code in zip(self.columns_codecs_, codes, strict=True):
            for width, kind, conditional in codec.layout():
                span_code = code if kind == "continuous" else None
                self.spans_.append(
                    Span(start, start + width, kind, conditional, span_code)
                )
                start += width
        return self

    @property
    def width(self):
        """Number of model columns."""
        return self.spans_[-1].stop if self.spans_ else 0

    def encode(self, X):
        """Return the float32 model matrix of ``X``, the table seen in ``fit``."""
        rng = np.random.default_rng(self.encode_seed_)
        blocks = [
            codec.encode(column, rng)
            for codec, (_, column) in zip(
                self.columns_codecs_, _columns(X), strict=True
            )
        ]
        return np.hstack([np.empty((len(X), 0))] + blocks).astype(np.float32)

    def decode(self, Z):
        """Turn model rows ``Z`` back into rows of the fitted container."""
        Z = np.asarray(Z, dtype=np.float64)
        rng = self.decode_rng_
        offsets = np.cumsum([0] + [codec.n_model for codec in self.columns_codecs_])
        columns = [
            codec.decode(Z[:, start:stop], rng)
            for codec, start, stop in zip(
                self.columns_codecs_, offsets[:-1], offsets[1:], strict=True
            )
        ]
        if self.is_frame_:
            frame = pd.concat(columns, axis=1, ignore_index=True)
            frame.columns = self.columns_
            return frame
        if not columns:
            return np.empty((len(Z), 0), dtype=self.dtype_)
        return np.column_stack([c.to_numpy(dtype=self.dtype_) for c in columns])


def _one_hot_codes(X, codecs):
    """The one-hot code of each column of ``X``, numbered from 0, or None.

    A one-hot code is a run of two or more adjacent numeric columns that hold
    only 0 and 1, no missing values, and at most one 1 in every row (a
    dropped reference level leaves rows of zeros), as ``pandas.get_dummies``
    writes a categorical column.
    """
    groups, group, total = [], -1, None
    for (name, column), codec in zip(_columns(X), codecs, strict=True):
        if not getattr(codec, "zero_one", False):
            groups.append(None)
            total = None
            continue
        values = numeric_values(column, name)
        if total is None or np.max(total + values, initial=0) > 1:
            group, total = group + 1, values
        else:
            total = total + values
        groups.append(group)
    sizes = Counter(g for g in groups if g is not None)
    number = {g: k for k, g in enumerate(sorted(g for g, n in sizes.items() if n > 1))}
    return [number.get(g) for g in groups]


def _integer_codes(codes, codecs):
    """``codes`` with each integer numeric column that has none numbered as a
    code of its own, after the one-hot codes, in column order."""
    fresh = max((code for code in codes if code is not None), default=-1) + 1
    numbered = []
    for code, codec in zip(codes, codecs, strict=True):
        if code is None and getattr(codec, "integral", False):
            code, fresh = fresh, fresh + 1
        numbered.append(code)
    return numbered


def _columns(X):
    """Yield ``(name, column)``: Series of a DataFrame, 1-D arrays of an ndarray."""
    if isinstance(X, pd.DataFrame):
        for j, name in enumerate(X.columns):
            yield name, X.iloc[:, j]
    else:
        for j in range(X.shape[1]):
            yield j, X[:, j]


def is_categorical(column):
    """Tell whether a column is categorical: the one rule of skgan.

    It decides ``categorical_features="auto"`` of
    :class:`~skgan.GANOversampler`, the columns :mod:`skgan.metrics` compares
    by level, and the columns the benchmark one-hot encodes.

    Parameters
    ----------
    column : Series or 1-D ndarray
        One column of a table.

    Returns
    -------
    categorical : bool
        For a Series: True for category, bool, string and object dtypes;
        numbers, datetimes and durations are not categorical. For an ndarray
        column: True when it has object dtype and holds a value that is not a
        number.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgan.metrics import is_categorical
    >>> is_categorical(pd.Series([True, False])), is_categorical(pd.Series([1.5]))
    (True, False)
    """
    dtype = column.dtype
    if isinstance(column, pd.Series):
        return bool(
            isinstance(dtype, pd.CategoricalDtype)
            or pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_string_dtype(dtype)
            or pd.api.types.is_object_dtype(dtype)
        )
    return pd.api.types.is_object_dtype(dtype) and (
        pd.api.types.infer_dtype(column, skipna=True) not in _NUMERIC_KINDS
    )


@saveable
class _CategoricalColumn:
    """One-hot levels of a categorical column, missing values being a level."""

    def __init__(self, name):
        self.name = name

    def fit(self, column, rng):
        self.dtype = column.dtype
        missing = pd.isna(np.asarray(column, dtype=object))
        codes, uniques = _factorize(column)
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        # The caller's own marker (None, NaN, pd.NA) comes back for an object column.
        self.marker = (
            np.asarray(column, dtype=object)[missing][0] if missing.any() else None
        )
        order = np.argsort(-counts, kind="stable")
        kept = order[: MAX_LEVELS - 1] if len(order) > MAX_LEVELS else order
        pooled = np.setdiff1d(order, kept)
        self.levels = np.asarray(uniques, dtype=object)[np.r_[kept, pooled]]
        self.n_kept = len(kept)
        self.pooled_p = counts[pooled] / max(counts[pooled].sum(), 1)
        self.has_missing = bool(missing.any())
        # Model level of each factorize code: kept levels by frequency, pooled
        # levels share the level after them, missing values come last.
        self.model_level = np.empty(len(uniques), dtype=np.int64)
        self.model_level[kept] = np.arange(len(kept))
        self.model_level[pooled] = len(kept)
        self.n_model = len(kept) + bool(len(pooled)) + self.has_missing
        self.missing_level = self.n_model - 1 if self.has_missing else -1
        return self

    def layout(self):
        return [(self.n_model, "discrete", True)] if self.n_model else []

    def encode(self, column, rng):
        codes, _ = _factorize(column)
        mapped = np.full(len(codes), self.missing_level)
        observed = codes >= 0
        mapped[observed] = self.model_level[codes[observed]]
        return np.eye(self.n_model)[mapped]

    def decode(self, block, rng):
        level = block.argmax(axis=1) if self.n_model else np.zeros(len(block), int)
        values = np.empty(len(block), dtype=object)
        kept = level < self.n_kept
        values[kept] = self.levels[level[kept]]
        pooled = ~kept & (level != self.missing_level)
        if pooled.any():
            draw = rng.choice(len(self.pooled_p), size=pooled.sum(), p=self.pooled_p)
            values[pooled] = self.levels[self.n_kept + draw]
        values[level == self.missing_level] = self.marker
        return _restore_categorical(values, self.dtype)


def _factorize(column):
    """Integer codes (-1 for missing) and unique values of a column."""
    try:
        return pd.factorize(np.asarray(column, dtype=object), use_na_sentinel=True)
    except TypeError:
        # Unhashable values (dicts, lists) are told apart by their text.
        values = np.asarray(column, dtype=object)
        codes, _ = pd.factorize(values.astype(str), use_na_sentinel=True)
        missing = pd.isna(values)
        codes[missing] = -1
        _, first = np.unique(codes, return_index=True)
        return codes, values[first[codes[first] >= 0]]


def _restore_categorical(values, dtype):
    series = pd.Series(values, dtype=object)
    return series if pd.api.types.is_object_dtype(dtype) else series.astype(dtype)


class _NumericColumn:
    """A numeric column: its float values, range, integrality and missing rate.

    Subclasses normalise the observed values into ``n_value`` model columns.
    """

    def __init__(self, name):
        self.name = name

    def fit(self, column, rng):
        self.dtype = column.dtype
        values = numeric_values(column, self.name)
        observed = values[~np.isnan(values)]
        self.has_missing = len(observed) < len(values)
        self.all_missing = len(observed) == 0
        self.low, self.high = (
            (observed.min(), observed.max()) if len(observed) else (0.0, 0.0)
        )
        self.integral = bool(np.all(observed == np.rint(observed)))
        # Integers from 0 to 1 are only 0 and 1.
        self.zero_one = (
            not self.has_missing and self.integral and (self.low, self.high) == (0, 1)
        )
        # Integer columns are rounded instead, so they need no levels.
        self.levels = None
        if not self.integral:
            levels = np.unique(observed)
            if len(levels) <= _MAX_NUMERIC_LEVELS:
                self.levels = levels
        if not self.all_missing:
            self.fit_values(observed, rng)
        self.n_value = 0 if self.all_missing else self.value_width()
        self.n_model = self.n_value + 2 * (self.has_missing and not self.all_missing)
        return self

    def layout(self):
        spans = self.value_layout() if not self.all_missing else []
        if self.n_model > self.n_value:
            spans.append((2, "discrete", False))
        return spans

    def encode(self, column, rng):
        values = numeric_values(column, self.name)
        missing = np.isnan(values)
        encoded = np.zeros((len(values), self.n_value))
        if missing.all():
            encoded = encoded[:, :0]
        else:
            encoded[~missing] = self.encode_values(values[~missing], rng)
        if self.n_model > self.n_value:
            encoded = np.hstack([encoded, np.eye(2)[missing.astype(int)]])
        return encoded

    def decode(self, block, rng):
        values = np.full(len(block), np.nan)
        if not self.all_missing:
            values = np.clip(
                self.decode_values(block[:, : self.n_value]), self.low, self.high
            )
            if self.integral:
                values = np.rint(values)
            # Files saved before 0.2 have no levels attribute.
            elif getattr(self, "levels", None) is not None:
                values = _snap(values, self.levels, self.high - self.low)
        if self.n_model > self.n_value:
            values[block[:, self.n_value :].argmax(axis=1) == 1] = np.nan
        return _restore_numeric(values, self.dtype)


class _ScalarColumn(_NumericColumn):
    """A numeric column normalised into one model column."""

    def value_width(self):
        return 1

    def value_layout(self):
        return [(1, "continuous", False)]


@saveable
class _StandardColumn(_ScalarColumn):
    """Standardisation: linear, so points between two rows stay between them."""

    def fit_values(self, observed, rng):
        self.mean = observed.mean()
        # A constant column has no spread to divide by.
        self.scale = observed.std() or 1.0

    def encode_values(self, values, rng):
        return ((values - self.mean) / self.scale)[:, None]

    def decode_values(self, block):
        return block[:, 0] * self.scale + self.mean


@saveable
class _QuantileColumn(_ScalarColumn):
    def fit_values(self, observed, rng):
        self.quantiles = QuantileTransformer(
            n_quantiles=min(1000, len(observed)),
            output_distribution="normal",
            subsample=100_000,
            random_state=int(rng.integers(2**31)),
        ).fit(observed[:, None])

    def encode_values(self, values, rng):
        return self.quantiles.transform(values[:, None])

    def decode_values(self, block):
        # sklearn refuses empty input; an empty draw decodes to no values.
        return (
            self.quantiles.inverse_transform(block)[:, 0] if len(block) else block[:, 0]
        )


@saveable
class _ModeColumn(_NumericColumn):
    """Mode-specific normalisation: a value is a mixture mode and an offset in it."""

    def fit_values(self, observed, rng):
        sample = observed
        if len(sample) > _EM_SUBSAMPLE:
            sample = rng.choice(sample, _EM_SUBSAMPLE, replace=False)
        self.means, self.stds, self.weights = _fit_mixture(sample)

    def value_width(self):
        return 1 + len(self.means)

    def value_layout(self):
        return [(1, "continuous", False), (len(self.means), "discrete", False)]

    def encode_values(self, values, rng):
        log_post = _log_likelihood(values, self.means, self.stds, self.weights)
        # Sample each value's mode from its posterior (Gumbel-max trick).
        mode = (log_post + rng.gumbel(size=log_post.shape)).argmax(axis=1)
        offset = (values - self.means[mode]) / (4 * self.stds[mode])
        return np.column_stack([offset, np.eye(len(self.means))[mode]])

    def decode_values(self, block):
        mode = block[:, 1:].argmax(axis=1)
        return block[:, 0] * 4 * self.stds[mode] + self.means[mode]


def _log_likelihood(values, means, stds, weights):
    """Log of weight times normal density, shape (n_values, n_modes)."""
    z = (values[:, None] - means) / stds
    return np.log(weights) - np.log(stds) - 0.5 * z**2


def _fit_mixture(values):
    """Fit a 1-D Gaussian mixture by EM; drop modes that end up unused."""
    k = min(_N_MODES, len(np.unique(values)))
    means = np.quantile(values, (np.arange(k) + 0.5) / k)
    floor = 1e-3 * (values.std() + 1e-12) + 1e-9
    stds = np.full(k, values.std() / k + floor)
    weights = np.full(k, 1 / k)
    for _ in range(_EM_ITERATIONS):
        log_joint = _log_likelihood(values, means, stds, weights)
        resp = np.exp(log_joint - log_joint.max(axis=1, keepdims=True))
        resp /= resp.sum(axis=1, keepdims=True)
        mass = resp.sum(axis=0) + 1e-12
        weights = mass / len(values)
        means = resp.T @ values / mass
        stds = (
            np.sqrt((resp * (values[:, None] - means) ** 2).sum(axis=0) / mass) + floor
        )
    used = weights > 5e-3
    return means[used], stds[used], weights[used] / weights[used].sum()


def numeric_values(column, name):
    """Float64 values of a numeric column, NaN where missing."""
    dtype = column.dtype
    if isinstance(dtype, pd.SparseDtype):
        column, dtype = column.sparse.to_dense(), dtype.subtype
    if _is_temporal(dtype):
        # Datetimes and durations round-trip through integer nanoseconds.
        series = pd.Series(column)
        if isinstance(dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_convert(None)
        values = series.astype(f"{series.dtype.kind}8[ns]")
        floats = values.to_numpy().view(np.int64).astype(np.float64)
        floats[values.isna().to_numpy()] = np.nan
        return floats
    if not (
        pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_object_dtype(dtype)
    ):
        raise TypeError(
            f"Column {name!r} has dtype {dtype}, which is neither numeric nor "
            "categorical; convert it to a number or a category."
        )
    try:
        values = pd.Series(column).to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise TypeError(
            f"Column {name!r} holds values that are not numbers; list it in "
            "categorical_features."
        ) from None
    if np.isinf(values).any():
        raise ValueError(f"Column {name!r} contains infinite values.")
    return values


def float_values(column):
    """Float values of a numeric column, NaN where missing; times in nanoseconds."""
    if _is_temporal(column.dtype):
        return numeric_values(column, column.name)
    return column.to_numpy(dtype=float, na_value=np.nan)


def row_hashes(frame, categorical):
    """One 64-bit hash per row of ``frame``, equal for equal rows.

    Values get one canonical form first, so that 1 and 1.0, or NaN and None,
    hash alike; the columns in ``categorical`` compare as text.
    """
    canonical = {
        column: (
            frame[column]
            .astype(object)
            .where(frame[column].notna(), MISSING_TEXT)
            .astype(str)
            if column in categorical
            else float_values(frame[column])
        )
        for column in frame.columns
    }
    return pd.util.hash_pandas_object(pd.DataFrame(canonical), index=False).to_numpy()


def _snap(values, levels, spread):
    """``values`` within ``_SNAP_TOLERANCE * spread`` of a sorted level become it."""
    above = np.minimum(np.searchsorted(levels, values), len(levels) - 1)
    below = np.maximum(above - 1, 0)
    nearest = np.where(
        np.abs(values - levels[below]) < np.abs(values - levels[above]),
        levels[below],
        levels[above],
    )
    close = np.abs(values - nearest) <= _SNAP_TOLERANCE * spread
    return np.where(close, nearest, values)


def _restore_numeric(values, dtype):
    if isinstance(dtype, pd.SparseDtype):
        dtype = dtype.subtype
    if _is_temporal(dtype):
        ints = np.where(np.isnan(values), np.iinfo(np.int64).min, values)
        series = pd.Series(ints.astype(np.int64).view(f"{dtype.kind}8[ns]"))
        if isinstance(dtype, pd.DatetimeTZDtype):
            return series.dt.tz_localize("UTC").dt.tz_convert(dtype.tz).astype(dtype)
        return series.astype(dtype)
    if pd.api.types.is_object_dtype(dtype):
        return pd.Series(values, dtype=object)
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return pd.Series(values.astype(dtype))
    return pd.Series(values).astype(dtype)


def _is_temporal(dtype):
    return pd.api.types.is_datetime64_any_dtype(
        dtype
    ) or pd.api.types.is_timedelta64_dtype(dtype)


# The column codec of each ``numeric_encoding``.
NUMERIC_ENCODINGS = {
    "standard": _StandardColumn,
    "quantile": _QuantileColumn,
    "mode": _ModeColumn,
}
