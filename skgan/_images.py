"""Images <-> model tensors.

Images arrive as flattened rows of a 2-D array (with ``image_shape``) or as a
3-D ``(n, H, W)`` / 4-D ``(n, H, W, C)`` channels-last array. The layout turns
them into the 2-D rows imbalanced-learn validates and back; the codec maps rows
to channels-first float32 tensors in [-1, 1] for the networks and generated
tensors back to rows in the input's dtype and value range. It knows nothing
about GANs.
"""

from dataclasses import dataclass

import numpy as np

from ._state import saveable


@saveable
@dataclass(frozen=True)
class ImageLayout:
    """How images are laid out in the caller's ``X``.

    ``shape`` is the image shape ``(H, W, C)``; ``sample_shape`` is the shape
    of one sample of ``X``: ``(H * W * C,)`` for flattened rows, else the
    image's own ``(H, W)`` or ``(H, W, C)``.
    """

    shape: tuple
    sample_shape: tuple

    def flatten(self, X):
        """Return the images of ``X`` as 2-D rows of ``H * W * C`` values."""
        if len(self.sample_shape) == 1:
            return X
        X = np.asarray(X)
        return X.reshape(len(X), -1)

    def restore(self, rows):
        """Return 2-D ``rows`` in the caller's layout."""
        return rows.reshape((len(rows),) + self.sample_shape)


def infer_layout(X, image_shape):
    """Return the :class:`ImageLayout` of ``X``, or None for a table.

    ``X`` holds images when ``image_shape`` is given or it has 3 or 4
    dimensions; ``image_shape``, when given, must match ``X``'s sizes.
    """
    ndim = getattr(X, "ndim", None)
    ndim = np.ndim(X) if ndim is None else ndim
    if image_shape is None and ndim <= 2:
        return None
    if ndim > 4:
        raise ValueError(
            f"Images must be a 2-D, 3-D or 4-D array, got {ndim} dimensions."
        )
    if ndim > 2:
        sample_shape = tuple(np.shape(X)[1:])
        if image_shape is not None and _channels_last(image_shape) != _channels_last(
            sample_shape
        ):
            raise ValueError(
                f"image_shape={image_shape!r} does not match the images of X, "
                f"which have shape {sample_shape}."
            )
        return ImageLayout(_channels_last(sample_shape), sample_shape)
    shape = _channels_last(_check_image_shape(image_shape))
    n_features = np.shape(X)[1] if ndim == 2 else None
    if n_features is not None and n_features != np.prod(shape):
        raise ValueError(
            f"image_shape={image_shape!r} needs {np.prod(shape)} features per "
            f"row, but X has {n_features}."
        )
    return ImageLayout(shape, (int(np.prod(shape)),))


def _check_image_shape(image_shape):
    sizes = np.asarray(image_shape)
    if (
        sizes.shape not in {(2,), (3,)}
        or sizes.dtype.kind not in "iu"
        or (sizes < 1).any()
    ):
        raise ValueError(
            "image_shape must be (H, W) or (H, W, C) with positive integer "
            f"sizes, got {image_shape!r}."
        )
    return tuple(int(s) for s in sizes)


def _channels_last(shape):
    return tuple(shape) + (1,) * (3 - len(shape))


@saveable
class ImageCodec:
    """Scale image rows to [-1, 1] tensors for the networks and back.

    The scale is the pixel range observed in ``fit``, shared by all pixels, so
    decoded values stay inside it; integer images are rounded back to their
    dtype, float images keep their range (e.g. 0..16 for scikit-learn's
    digits).

    Parameters
    ----------
    shape : tuple of int
        Image shape ``(H, W, C)``.
    """

    def __init__(self, shape):
        self.shape = shape

    def fit(self, X):
        """Learn the dtype and the value range of image rows ``X``."""
        self.dtype_ = X.dtype
        self.low_, self.high_ = float(np.min(X)), float(np.max(X))
        return self

    @property
    def width(self):
        """Number of model values per sample."""
        return int(np.prod(self.shape))

    def encode(self, X):
        """Return the float32 ``(n, C, H, W)`` model tensor of image rows ``X``."""
        # A constant image set (high == low) encodes to -1 and decodes back.
        scale = max(self.high_ - self.low_, np.finfo(np.float64).tiny)
        scaled = (np.asarray(X, dtype=np.float64) - self.low_) / scale * 2 - 1
        images = scaled.reshape((len(X),) + self.shape).transpose(0, 3, 1, 2)
        return np.ascontiguousarray(images, dtype=np.float32)

    def decode(self, Z):
        """Turn model samples ``Z`` back into image rows of the fitted dtype."""
        Z = np.asarray(Z, dtype=np.float64).reshape(
            (len(Z), self.shape[2], self.shape[0], self.shape[1])
        )
        rows = Z.transpose(0, 2, 3, 1).reshape(len(Z), self.width)
        values = np.clip(
            (rows + 1) / 2 * (self.high_ - self.low_) + self.low_, self.low_, self.high_
        )
        if self.dtype_.kind in "iub":
            values = np.rint(values)
        return values.astype(self.dtype_)
