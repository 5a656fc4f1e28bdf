"""The protocol's samplers, as factories of one training fold.

A factory takes the training fold ``(X, y)`` and the keywords ``seed`` and
``image_shape`` and returns an object with ``fit_resample``, or None for no
resampling.
"""

import hashlib

import numpy as np
import pandas as pd
from imblearn import FunctionSampler
from imblearn.over_sampling import (
    ADASYN,
    SMOTE,
    SMOTENC,
    BorderlineSMOTE,
    RandomOverSampler,
)
from imblearn.utils import check_sampling_strategy

from .._codec import is_categorical


def smote_neighbours(y):
    """The ``k_neighbors`` of the SMOTE family for labels ``y``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels of the rows to resample.

    Returns
    -------
    k : int
        5, shrunk below the smallest class size so every class has that
        many neighbours, and at least 1.

    Examples
    --------
    >>> from skgan.benchmark import smote_neighbours
    >>> smote_neighbours([0] * 20 + [1] * 3)
    2
    """
    return max(1, min(5, int(pd.Series(y).value_counts().min()) - 1))


def categorical_columns(X):
    """List the categorical columns of the DataFrame ``X``.

    Parameters
    ----------
    X : DataFrame
        A table.

    Returns
    -------
    columns : list
        The columns for which :func:`skgan.metrics.is_categorical` holds.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgan.benchmark import categorical_columns
    >>> categorical_columns(pd.DataFrame({"a": [1.0], "b": ["x"], "c": [True]}))
    ['b', 'c']
    """
    return [column for column in X.columns if is_categorical(X[column])]


def ctgan_per_class(X, y, seed):
    """Oversample each minority class with its own CTGAN, at CTGAN's defaults.

    Parameters
    ----------
    X : DataFrame of shape (n_samples, n_features)
        Training rows.
    y : Series of shape (n_samples,)
        Their labels.
    seed : int
        Seed of every CTGAN.

    Returns
    -------
    X_res : DataFrame
        ``X``, then the synthetic rows, in the dtypes of ``X``.
    y_res : Series
        Labels of ``X_res``.

    Examples
    --------
    >>> from skgan.benchmark import ctgan_per_class
    >>> X_res, y_res = ctgan_per_class(X, y, seed=0)  # doctest: +SKIP
    """
    from ctgan import CTGAN

    discrete = categorical_columns(X)
    parts_X, parts_y = [X], [y]
    for label, n_new in check_sampling_strategy("auto", y, "over-sampling").items():
        if n_new == 0:
            continue
        model = CTGAN()
        model.set_random_state(seed)
        model.fit(X[np.asarray(y == label)], discrete_columns=discrete)
        parts_X.append(model.sample(n_new).astype(X.dtypes.to_dict()))
        parts_y.append(pd.Series([label] * n_new, name=y.name))
    return pd.concat(parts_X, ignore_index=True), pd.concat(parts_y, ignore_index=True)


def _smote(X, y, *, seed, image_shape=None):
    categorical = np.array([is_categorical(X[column]) for column in X.columns])
    if categorical.any():
        return SMOTENC(
            # A list: imbalanced-learn compares this parameter with "auto",
            # which is ambiguous for an ndarray.
            categorical_features=np.flatnonzero(categorical).tolist(),
            k_neighbors=smote_neighbours(y),
            random_state=seed,
        )
    return SMOTE(k_neighbors=smote_neighbours(y), random_state=seed)


def _gan(X, y, *, seed, image_shape=None):
    from .. import GANOversampler

    return GANOversampler(image_shape=image_shape, random_state=seed)


FACTORIES = {
    "none": lambda X, y, *, seed, image_shape=None: None,
    "ros": lambda X, y, *, seed, image_shape=None: RandomOverSampler(random_state=seed),
    "smote": _smote,
    "borderline": lambda X, y, *, seed, image_shape=None: BorderlineSMOTE(
        k_neighbors=smote_neighbours(y), random_state=seed
    ),
    "adasyn": lambda X, y, *, seed, image_shape=None: ADASYN(
        n_neighbors=smote_neighbours(y), random_state=seed
    ),
    "ctgan": lambda X, y, *, seed, image_shape=None: FunctionSampler(
        func=ctgan_per_class, validate=False, kw_args={"seed": seed}
    ),
    "gan": _gan,
}
"""The protocol's sampler factories by name."""


def cache_name(name, factory, image_shape=None):
    """Name of a sampler in the cache: the protocol's GAN carries a fingerprint.

    The fingerprint hashes skgan's version and every parameter of the
    ``GANOversampler`` the benchmark builds (its defaults, and ``image_shape``
    for images), so a run after a change of defaults computes new GAN cells
    instead of reusing those of the old defaults. Other samplers, the
    caller's own factories included, are cached under their name, or under
    the factory's ``cache_name`` attribute where it has one (for example a
    name that carries skgan's version, so that a variant of the GAN is
    computed again after skgan changes).
    """
    if factory is not _gan:
        return getattr(factory, "cache_name", name)
    from .. import GANOversampler, __version__

    params = sorted(GANOversampler(image_shape=image_shape).get_params().items())
    digest = hashlib.sha256(repr((__version__, params)).encode()).hexdigest()
    return f"gan-{digest[:10]}"
