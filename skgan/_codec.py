"""Table columns <-> model tensors.

The codec turns a validated table (ndarray or DataFrame) into a dense float32
matrix the networks work in, describes that matrix as a list of spans, and turns
generated matrices back into the caller's container, dtypes and value ranges.
It knows nothing about GANs.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.preprocessing import QuantileTransformer


@dataclass(frozen=True)
class Span:
    """A block of model columns that encodes one input column.

    ``kind`` is ``"continuous"`` for a normalised numeric value.
    """

    start: int
    stop: int
    kind: str


class TableCodec:
    """Encode a numeric table for the networks and decode generated rows.

    Numeric columns go through a quantile transform to a standard normal: it
    tames heavy tails and skew, and its inverse maps every generated value back
    inside the column's observed range.
    """

    def fit(self, X, random_state):
        """Learn the column transforms from ``X`` (ndarray or DataFrame)."""
        self.is_frame_ = isinstance(X, pd.DataFrame)
        self.columns_ = X.columns if self.is_frame_ else None
        self.dtypes_ = X.dtypes if self.is_frame_ else X.dtype
        values = self._as_float(X)
        self.quantiles_ = QuantileTransformer(
            n_quantiles=min(1000, values.shape[0]),
            output_distribution="normal",
            subsample=100_000,
            random_state=random_state,
        ).fit(values)
        self.spans_ = [Span(i, i + 1, "continuous") for i in range(values.shape[1])]
        return self

    @property
    def width(self):
        """Number of model columns."""
        return self.spans_[-1].stop

    def encode(self, X):
        """Return the float32 model matrix of ``X``."""
        return self.quantiles_.transform(self._as_float(X)).astype(np.float32)

    def decode(self, Z):
        """Turn model rows ``Z`` back into rows of the fitted container."""
        Z = np.asarray(Z, dtype=np.float64)
        # sklearn refuses empty input; an empty draw decodes to an empty table.
        values = self.quantiles_.inverse_transform(Z) if len(Z) else Z
        if not self.is_frame_:
            return _cast(values, self.dtypes_)
        return pd.DataFrame(
            {
                col: _cast(values[:, i], dtype)
                for i, (col, dtype) in enumerate(self.dtypes_.items())
            },
            columns=self.columns_,
        )

    def _as_float(self, X):
        if self.is_frame_:
            return np.column_stack([_column_as_float(X[col], col) for col in X.columns])
        return np.asarray(X, dtype=np.float64)


def _column_as_float(column, name):
    dtype = column.dtype
    if isinstance(dtype, pd.SparseDtype):
        column = column.sparse.to_dense()
        dtype = column.dtype
    if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)):
        raise TypeError(
            f"Column {name!r} has dtype {dtype}, which GANOversampler cannot "
            "model as a number."
        )
    return column.to_numpy(dtype=np.float64)


def _cast(values, dtype):
    """Cast generated floats to ``dtype``; integers are rounded, not truncated."""
    if isinstance(dtype, pd.SparseDtype):
        dtype = dtype.subtype
    if np.dtype(dtype).kind in "iub":
        values = np.rint(values)
    return values.astype(dtype)
