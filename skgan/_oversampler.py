"""The estimator: parameters, validation, fit / fit_resample / sample / save / load."""

import logging
import time
import warnings
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import pandas as pd
import torch
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_sampling_strategy, check_target_type
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.base import _fit_context
from sklearn.utils import check_array, check_consistent_length
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from . import __version__
from ._codec import NUMERIC_ENCODINGS, Span, TableCodec, categorical_mask, row_hashes
from ._images import ImageCodec, infer_layout
from ._nets import uses_conv
from ._state import decode, encode
from ._train import (
    AUGMENTATIONS,
    LOSSES,
    TrainConfig,
    fit_gan,
    generate,
    n_steps_per_epoch,
    torch_threads,
)

logger = logging.getLogger("skgan")

# Optimiser steps that ``epochs="auto"`` aims for, at least one epoch. An
# anchored generator starts from plausible rows and needs far fewer steps than
# one generating from noise (benchmarks/results/ablations.md, images.md).
AUTO_STEPS = {"anchored": 250, "noise": 2000}
# Rows per step that ``batch_size="auto"`` picks. An anchored generator learns a
# shift from a real starting point: on the KEEL suite, steps of 128 rows rank
# with steps of 256 in about 70% of the fit time; images generated from noise
# keep 256, with which more of the synthetic digits are recognisable
# (benchmarks/results/ablations_r3_speed.md, mnist_images.md).
AUTO_BATCH = {"anchored": 128, "noise": 256}
# Augmentations that ``augment="auto"`` applies to images modelled by
# convolutional networks; on 8x8 digits, modelled by fully connected ones, they
# cut the share of recognisable synthetic digits from 99% to about 80% (see
# benchmarks/results/images.md), so those are not augmented.
_AUTO_AUGMENT = ("translation", "cutout")
# The layout of the files ``save`` writes; ``load`` reads only this version.
FORMAT_VERSION = 1
# Parameters added since files of this format were first written, with the
# value that gives how the sampler behaved before each: a file saved without
# one was fitted so, and loads with it (k_neighbors since 0.2.0.dev11).
_EARLIER_PARAMS = {"k_neighbors": 5}
# Rounds of redrawing rows that copy a training row (``reject_copies``); a
# round draws 1.2 rows per missing row over the last round's share of novel
# rows, that share taken as at least 1 / _MAX_OVERDRAW. A round draws at least
# _MIN_REDRAW rows: where few rows are novel, a round for the last few missing
# rows would otherwise be too small to find one. It draws at most _MAX_ROUND
# rows, so that the memory beyond the requested rows stays bounded: where all
# rows copy, sample(1_000_000) would otherwise draw 24 million more. A round
# that finds no novel row at all ends the redraws.
_MAX_REDRAWS = 10
_MAX_OVERDRAW = 20
_MIN_REDRAW = 1_024
_MAX_ROUND = 100_000
# Fitted attributes that ``save`` leaves out: they are views of ``_fitted``.
_VIEWS_OF_FITTED = ("generator_", "discriminator_", "history_")


class GANOversampler(BaseOverSampler):
    """Oversample minority classes with rows drawn from a conditional GAN.

    ``fit_resample`` trains a generative adversarial network on the table and
    appends synthetic rows of the classes chosen by ``sampling_strategy``. The
    original rows come first, unchanged and in order, then the synthetic rows.
    Images, given as flattened rows with ``image_shape`` or as a 3-D or 4-D
    array, are modelled by convolutional networks and returned in the same
    layout.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    {sampling_strategy}

    mode : {{"conditional", "per_class"}}, default="conditional"
        ``"conditional"`` trains one generator and one discriminator, both
        conditioned on the class label, on all rows with class-balanced
        batches. ``"per_class"`` trains one unconditional GAN for each class
        to oversample, on that class's rows only.

    categorical_features : "auto", array-like or None, default="auto"
        Columns modelled as categories, as in
        :class:`~imblearn.over_sampling.SMOTENC`: ``"auto"`` selects a
        DataFrame's category, object, string and bool columns, or the columns
        of an object ndarray that hold any value other than a number; or give
        column indices, column names, a boolean mask, or ``None`` for an
        all-numeric table. Synthetic rows only hold categories seen in
        ``fit``, in the column's dtype.

    numeric_encoding : {{"standard", "quantile", "mode"}}, default="standard"
        Normalisation of numeric columns. ``"standard"`` standardises each
        column to zero mean and unit variance; being linear, it keeps an
        anchored generator's values (see ``anchor``) between the two real
        values they start from, as SMOTE's are. ``"quantile"`` maps each
        column to a standard normal by a quantile transform; tied values
        squash the space between them, so anchored rows snap onto real
        values and copy real rows more often. ``"mode"`` is CTGAN's
        mode-specific normalisation: a Gaussian mixture is fitted to each
        column (by EM on a subsample) and a value becomes its mixture mode
        plus its offset in it. On the mixed-type suite ``"mode"`` gives the
        closest marginals on four of the five tables (on Default
        ``"quantile"`` does), and on credit_data, whose columns are skewed,
        the standardised rows are the easiest to tell from real ones
        (``benchmarks/results/mixed_fidelity.md``); downstream on the KEEL
        tables ``"standard"`` and ``"quantile"`` rank above ``"mode"``
        (``benchmarks/results/ablations.md``).

    image_shape : tuple of int, default=None
        ``None`` treats ``X`` as a table, unless it is a 3-D ``(n_samples, H,
        W)`` or 4-D ``(n_samples, H, W, C)`` array of images (channels last),
        which implies the image shape. ``(H, W)`` or ``(H, W, C)`` makes each
        row of a 2-D ``X`` a flattened channels-last image of that shape.
        Synthetic images keep the dtype of ``X`` and stay inside its pixel
        range; integer images hold integers.

    augment : str or None, default="auto"
        Differentiable augmentations applied to the images the discriminator
        sees, real and synthetic alike, so that it cannot memorise classes of
        a few images: a comma-separated list of ``"translation"`` (shifts of
        up to 1/8 of the image) and ``"cutout"`` (a blank square of half its
        size). ``"auto"`` means ``"translation,cutout"`` for images modelled
        by convolutional networks (see ``network``) and no augmentation
        otherwise: it hurts the fully connected networks on 8x8 digits.
        ``None`` or ``""`` turns it off. Tables cannot be augmented.

    epochs : int or "auto", default="auto"
        Passes over the training rows. ``"auto"`` picks enough epochs for about
        250 optimiser steps with anchored generation (tables, by default) and
        2000 from noise (images, by default), and at least one epoch: small
        tables get as many updates as large ones, and beyond 32,000 rows (with
        the default ``batch_size``) the cost grows with the rows. ``0`` trains
        nothing, for anchored generation only: each value then lies at SMOTE's
        step squeezed into the share band, which on the KEEL and mixed suites
        ranks like the trained generator, within chance, in a fraction of
        its time (benchmarks/results/ablations_r3.md, ablations_mixed.md).

    batch_size : int or "auto", default="auto"
        Rows per optimiser step. Batches are drawn with replacement, so a batch
        may be larger than a class or the whole table. ``"auto"`` means 128
        with anchored generation (tables, by default), which ranks as 256
        does on the KEEL suite in about 70% of the time, and 256 from noise
        (images, by default), with which more synthetic digits are
        recognisable.

    latent_dim : int, default=64
        Size of the generator's noise vector.

    hidden_dims : tuple of int, default=(128, 128)
        Widths of the hidden layers of both networks for tables.

    network : {{"auto", "mlp", "conv"}}, default="auto"
        Network family for images: ``"mlp"`` uses fully connected networks
        of ``hidden_dims`` on the flattened images, ``"conv"`` DCGAN-style
        convolutional networks of ``conv_width``. ``"auto"`` picks ``"conv"``
        for images of more than 4,096 values (``H * W * C``, 64x64 grey):
        on 8x8 and 28x28 digits the fully connected networks learn better and
        many times faster on a CPU (benchmarks/results/mnist.md). Tables
        always use fully connected networks.

    conv_width : int, default=64
        Channels of both networks for images at full resolution; they double
        at each halving of the resolution, up to four times ``conv_width``.

    loss : {{"wgan-gp", "hinge", "minimax"}}, default="wgan-gp"
        Adversarial loss. ``"wgan-gp"`` is the Wasserstein loss with a gradient
        penalty of weight ``gradient_penalty``; ``"hinge"`` uses a spectrally
        normalised discriminator, and so does ``"minimax"``, the original GAN
        objective with the non-saturating generator loss (Goodfellow et al.,
        2014). Neither of the latter needs the penalty's second backward pass,
        but spectral normalisation costs about as much on a CPU. With anchored
        generation the three losses give rows about equally hard to tell
        from real ones (benchmarks/results/defaults.md), and WGAN-GP ranks
        better downstream than minimax (benchmarks/results/ablations.md).

    learning_rate : float, default=2e-4
        Adam learning rate of both networks.

    discriminator_steps : int, default=1
        Discriminator updates per generator update.

    gradient_penalty : float, default=10.0
        Weight of the gradient penalty; used only with ``loss="wgan-gp"``.

    penalty_interval : int, default=4
        Apply the gradient penalty every ``penalty_interval`` discriminator
        steps, with its weight multiplied by the interval ("lazy
        regularisation", Karras et al., 2020): the penalty's double backward
        pass is the most expensive part of a step, and every fourth step cuts
        a fit's time by about a quarter (``benchmarks/results/ablations.md``
        compares it with every step).

    anchor : {{"auto", "neighbours"}} or None, default="auto"
        Where the generator starts each synthetic row or image.
        ``"neighbours"``: from an anchor drawn as SMOTE draws a point, between
        a real row of the class and one of its ``k_neighbors`` nearest
        neighbours in the class; the generator learns a displacement from
        it, and keeps or changes its categories. Synthetic rows then stay on
        the class's manifold, which linear models and kernels reward.
        ``None``: from noise alone, as a plain conditional GAN. ``"auto"`` means
        ``"neighbours"`` for tables and ``None`` for images. Images modelled
        by fully connected networks without augmentation can be anchored
        too, their pixels then treated as numeric values: their images are
        as recognisable as SMOTE's, but behind a ``StandardScaler``
        classifiers score far better on images generated from noise
        (benchmarks/results/mnist_images.md).

    crossover : bool, default=True
        With anchored generation on a table, let each one-hot code and each
        integer column (0/1 flags included) start, at random, from the row's
        values or from the neighbour's, and move back towards the row. Once
        rounded, such values mix the two rows instead of all copying one of
        them. ``False`` gives every value of a row SMOTE's one step from the
        row towards the neighbour, as skgan 0.2.0.dev4 and earlier did: the
        trained generator then copies a real row for 6.5% of its rows on
        car_good, and left untrained (``epochs=0``) for 81% on car_good and
        48% on kr-vs-k-zero_vs_eight; with crossover, 0.03% on car_good
        (none since the redraws' larger rounds of 0.2.0.dev8) and none on
        the other KEEL and mixed tables. Downstream the two rank
        alike, within chance (benchmarks/results/ablations_r3.md and
        ablations_mixed.md). Numeric columns with fractional values keep
        SMOTE's step. Images are not affected.

    k_neighbors : int, default=10
        With anchored generation, the number of nearest neighbours in its
        class that an anchor's real row may lie towards, as SMOTE's
        ``k_neighbors``; a class of fewer rows uses all its other rows.
        Farther neighbours spread the anchors over more of the class's
        region. Against 5, as up to 0.2.0.dev9, 10 ranks 2.86 against 2.97
        in the GAN's place on the KEEL tables, with a mean score 0.008
        higher over 125 table and classifier pairs (Wilcoxon p < 0.01), and
        held-out C2ST 0.665 against 0.681; 20 ranks 2.79 but places its
        rows farther from the class's real ones (held-out C2ST up to 0.070
        above SMOTE's on a table, against 0.057). On the mixed tables the
        three rank alike (benchmarks/results/ablations_r3_neighbours.md and
        ablations_mixed_neighbours.md).

    reject_copies : bool, default=True
        Redraw each synthetic row that equals a training row of any class,
        so that no synthetic row is a real one. Anchored rows rarely copy
        numeric values, but columns of few values, such as integer or
        one-hot codes, round them back onto real rows: without the redraws,
        95% to 100% of the synthetic rows of three one-hot-coded KEEL tables
        are copies, at a small gain downstream
        (benchmarks/results/ablations.md).
        Each round of redraws draws from 1,024 to 100,000 rows. A class that
        still draws copies after ten rounds, or after a round that found no
        other row, keeps them, with a warning. ``sample``
        redraws them too.

    early_stopping : bool, default=False
        Hold out a tenth of the rows of each class of at least 10 rows, score
        the generator on them 20 times over training (the energy distance
        between as many generated rows of the class and the held-out ones,
        averaged over classes), keep the generator of the best score, and
        stop after 4 scores in a row without improvement. The scores are
        recorded in ``history_`` as ``holdout_distance``. Trains on fewer
        rows; see ``benchmarks/results/ablations.md`` for its effect.

    max_time : float, default=None
        Stop training once this many seconds have passed, after the step
        under way; ``None`` trains for all ``epochs``. The output then
        depends on the machine's speed, so a fixed ``random_state`` no
        longer fixes it.

    device : str, default="auto"
        Torch device to train on: ``"cpu"``, ``"cuda"``, ``"cuda:1"``,
        ``"mps"``, or ``"auto"`` for CUDA when available, else the CPU. The
        trained networks are kept on the CPU, where sampling runs.

    n_threads : int or "auto", default="auto"
        Torch CPU threads used while training and sampling; the caller's
        setting is restored afterwards. ``"auto"`` means 1: the networks are
        small, so one thread is as fast as several on an idle machine and far
        faster beside other busy processes, and parallel fits (``n_jobs``,
        grid searches) use the cores instead. The output of a seeded fit
        depends on ``n_threads`` but not on the caller's thread settings.

    n_jobs : int, default=None
        Number of classes trained in parallel with ``mode="per_class"``.
        ``None`` means 1; ``-1`` uses all processors. Results do not depend on
        it.

    verbose : int, default=0
        0 is silent, 1 shows a progress bar over epochs, 2 also prints the
        losses of every epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the network initialisation, training and sampling. With an int,
        the output is identical from call to call on the CPU. The global numpy
        and torch random states are never used or changed.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of synthetic rows to add per class label.

    classes_ : ndarray of shape (n_classes,)
        Class labels seen in ``fit``.

    n_features_in_ : int
        Number of features seen in ``fit``; ``H * W * C`` for images.

    image_shape_ : tuple of int or None
        ``(H, W, C)`` of the images seen in ``fit``; ``None`` for a table.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen in ``fit``; defined only when ``X`` has string
        column names.

    generator_ : torch.nn.Module or dict
        The trained generator, on the CPU. With ``mode="per_class"``, a dict
        mapping each oversampled class label to its generator.

    discriminator_ : torch.nn.Module or dict
        The trained discriminator(s), shaped like ``generator_``.

    config_ : TrainConfig
        The training settings resolved from the parameters and the data, as
        a frozen dataclass: for example ``config_.epochs`` is the number of
        epochs ``epochs="auto"`` chose, ``config_.augment`` the augmentations
        applied and ``config_.device`` the device trained on.

    categorical_features_ : ndarray of int
        Indices of the columns modelled as categories.

    history_ : list of dict or dict
        One record per epoch with ``epoch``, ``d_loss`` and ``g_loss``. With
        ``mode="per_class"``, a dict mapping each class label to its records.

    See Also
    --------
    imblearn.over_sampling.SMOTE : Interpolates between minority neighbours.
    imblearn.over_sampling.RandomOverSampler : Duplicates minority rows.

    Notes
    -----
    ``fit`` and ``fit_resample`` change the sampler only when they succeed:
    if training fails or is interrupted (``KeyboardInterrupt``), the sampler
    keeps the fitted state it had before the call, torch's thread count is
    restored, and the exception propagates. A loss that becomes NaN or
    infinite stops training within 50 steps; training restarts once at a
    quarter of the learning rate (with a ``RuntimeWarning``), and a second
    divergence raises a ``RuntimeError`` that names the remedies.

    Numeric columns are normalised (see ``numeric_encoding``) before training
    and mapped back afterwards, clipped to each column's observed range;
    integer columns hold integers. A numeric column with missing values gains
    a missing indicator, so synthetic rows have gaps at about the rate the
    class had. A categorical column becomes a one-hot block that the generator
    emits through a Gumbel-softmax; missing values are a category of their own
    and come back as the marker the input used (``None``, ``NaN`` or
    ``pd.NA``). A column with more than 100 categories keeps its 99 most
    frequent ones and pools the rest, which decode to a frequency-weighted
    draw among them. Datetime and timedelta columns are modelled as numbers.
    Training by sampling [3]_ conditions both networks on one category of one
    column per row, chosen with probability growing with the logarithm of its
    frequency in the row's class, so rare categories of a class are learned.

    References
    ----------
    .. [1] G. Douzas and F. Bacao, "Effective data generation for imbalanced
       learning using conditional generative adversarial networks", Expert
       Systems with Applications, 91, 464-471, 2018.
    .. [2] T. Miyato and M. Koyama, "cGANs with projection discriminator",
       ICLR 2018.
    .. [3] L. Xu, M. Skoularidou, A. Cuesta-Infante and K. Veeramachaneni,
       "Modeling tabular data using conditional GAN", NeurIPS 2019.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from skgan import GANOversampler
    >>> X, y = make_classification(n_samples=300, weights=[0.9, 0.1],
    ...                            random_state=0)
    >>> sampler = GANOversampler(epochs=5, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res).items())
    [(np.int64(0), 268), (np.int64(1), 268)]
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "mode": [StrOptions({"conditional", "per_class"})],
        "categorical_features": [StrOptions({"auto"}), "array-like", None],
        "numeric_encoding": [StrOptions(set(NUMERIC_ENCODINGS))],
        "image_shape": [tuple, None],
        "augment": [str, None],
        "epochs": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "hidden_dims": ["array-like"],
        "network": [StrOptions({"auto", "mlp", "conv"})],
        "conv_width": [Interval(Integral, 1, None, closed="left")],
        "loss": [StrOptions(set(LOSSES))],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "discriminator_steps": [Interval(Integral, 1, None, closed="left")],
        "gradient_penalty": [Interval(Real, 0, None, closed="left")],
        "penalty_interval": [Interval(Integral, 1, None, closed="left")],
        "anchor": [StrOptions({"auto", "neighbours"}), None],
        "crossover": ["boolean"],
        "k_neighbors": [Interval(Integral, 1, None, closed="left")],
        "reject_copies": ["boolean"],
        "early_stopping": ["boolean"],
        "max_time": [Interval(Real, 0, None, closed="neither"), None],
        "device": [str],
        "n_threads": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        sampling_strategy="auto",
        *,
        mode="conditional",
        categorical_features="auto",
        numeric_encoding="standard",
        image_shape=None,
        augment="auto",
        epochs="auto",
        batch_size="auto",
        latent_dim=64,
        hidden_dims=(128, 128),
        network="auto",
        conv_width=64,
        loss="wgan-gp",
        learning_rate=2e-4,
        discriminator_steps=1,
        gradient_penalty=10.0,
        penalty_interval=4,
        anchor="auto",
        crossover=True,
        k_neighbors=10,
        reject_copies=True,
        early_stopping=False,
        max_time=None,
        device="auto",
        n_threads="auto",
        n_jobs=None,
        verbose=0,
        random_state=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.mode = mode
        self.categorical_features = categorical_features
        self.numeric_encoding = numeric_encoding
        self.image_shape = image_shape
        self.augment = augment
        self.epochs = epochs
        self.batch_size = batch_size
        self.latent_dim = latent_dim
        self.hidden_dims = hidden_dims
        self.network = network
        self.conv_width = conv_width
        self.loss = loss
        self.learning_rate = learning_rate
        self.discriminator_steps = discriminator_steps
        self.gradient_penalty = gradient_penalty
        self.penalty_interval = penalty_interval
        self.anchor = anchor
        self.crossover = crossover
        self.k_neighbors = k_neighbors
        self.reject_copies = reject_copies
        self.early_stopping = early_stopping
        self.max_time = max_time
        self.device = device
        self.n_threads = n_threads
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.random_state = random_state

    def fit_resample(self, X, y, **params):
        """Train the GAN(s) and append synthetic rows to ``X`` and ``y``.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix} of shape (n_samples, n_features)
            Training rows, or images (see ``image_shape``).

        y : array-like of shape (n_samples,)
            Class labels.

        **params : dict
            Extra parameters of imbalanced-learn's ``fit_resample``; unused.

        Returns
        -------
        X_resampled : {array-like, dataframe, sparse matrix}
            The rows of ``X``, unchanged and in order, then the synthetic
            rows, in the container and dtypes of ``X``.

        y_resampled : array-like
            The labels of ``X_resampled``.
        """
        with _unchanged_on_error(self):
            return super().fit_resample(X, y, **params)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the GAN(s) on ``X`` and ``y`` without resampling.

        After ``fit``, :meth:`sample` draws synthetic rows.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix} of shape (n_samples, n_features)
            Training rows.

        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : GANOversampler
            The fitted sampler.
        """
        with _unchanged_on_error(self):
            check_classification_targets(y)
            X, y, _ = self._check_X_y(X, y)
            self.sampling_strategy_ = check_sampling_strategy(
                self.sampling_strategy, y, self._sampling_type
            )
            self._train(X, y)
        return self

    def sample(self, n_samples, y):
        """Draw synthetic rows of one class from the fitted GAN.

        Parameters
        ----------
        n_samples : int
            Number of rows to draw.

        y : object
            Class label of the rows; one of ``classes_`` (with
            ``mode="per_class"``, one of the oversampled classes).

        Returns
        -------
        X_new : ndarray or DataFrame of shape (n_samples, n_features)
            Synthetic rows, in the container and dtypes of the training ``X``;
            images in its layout, e.g. of shape (n_samples, H, W). With
            ``reject_copies``, none equals a training row (but see that
            parameter for classes that cannot avoid it).
        """
        check_is_fitted(self)
        if not isinstance(n_samples, Integral) or n_samples < 0:
            raise ValueError(
                f"n_samples must be a non-negative integer, got {n_samples!r}."
            )
        trainable = self.generator_ if self.mode == "per_class" else self.classes_
        if not any(y == label for label in trainable):
            raise ValueError(
                f"y={y!r} is not a class this sampler can generate; choose one of "
                f"{list(trainable)}."
            )
        return self._restore_layout(self._generate({y: n_samples}))

    def save(self, path):
        """Save the sampler, fitted or not, to a file that loads without running code.

        The file, written by :func:`torch.save`, holds only tensors and plain
        values (dicts, lists, tuples, strings, numbers, booleans, ``None``):
        the parameters, the networks as constructor arguments and state
        dicts, the column transforms as their fitted values, pandas dtypes
        by their parts and the random generators' states. :meth:`load`
        reads it back with ``torch.load(..., weights_only=True)``, which
        refuses any other object, so a file from an untrusted source cannot
        run code, unlike a pickle.

        Parameters
        ----------
        path : str or path-like
            File to write; an existing file is replaced.

        Raises
        ------
        ValueError
            When a parameter or the fitted table holds a value that has no
            plain description, such as a callable ``sampling_strategy`` or
            a categorical level of an arbitrary Python class; nothing is
            written then. Such a sampler can still be pickled.

        See Also
        --------
        load : Read a sampler saved by this method.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from sklearn.datasets import make_classification
        >>> from skgan import GANOversampler
        >>> X, y = make_classification(n_samples=100, weights=[0.8], random_state=0)
        >>> sampler = GANOversampler(epochs=1, random_state=0).fit(X, y)
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "sampler.pt"
        >>> sampler.save(path)
        >>> loaded = GANOversampler.load(path)
        >>> (loaded.sample(5, y=1) == sampler.sample(5, y=1)).all()
        np.True_
        """
        params = self.get_params(deep=False)
        attributes = {
            key: value
            for key, value in vars(self).items()
            if key not in params and key not in _VIEWS_OF_FITTED
        }
        try:
            contents = {
                "format": "skgan",
                "format_version": FORMAT_VERSION,
                "skgan_version": __version__,
                "params": encode(params),
                "attributes": encode(attributes),
            }
        except ValueError as exc:
            raise ValueError(f"Cannot save the sampler to {path}: {exc}") from None
        torch.save(contents, path)

    @classmethod
    def load(cls, path):
        """Load a sampler that :meth:`save` wrote.

        The file is read with ``torch.load(..., weights_only=True,
        map_location="cpu")``: it can hold nothing but tensors and plain
        values, from which the sampler is rebuilt, so loading never runs code
        from the file, and a sampler trained on a GPU loads on a machine
        without one. A loaded sampler draws the same rows as the saved one
        would have drawn next. A parameter added since the file was saved
        takes the value the sampler then behaved by (``k_neighbors=5`` for
        files from before 0.2.0.dev11), so that refitting it fits as before.

        Parameters
        ----------
        path : str or path-like
            File written by :meth:`save`.

        Returns
        -------
        sampler : GANOversampler
            The sampler, fitted if it was saved fitted.

        Raises
        ------
        ValueError
            When the file is truncated or damaged, holds anything but
            tensors and plain values (a pickle, for example), is not a skgan
            model file, or has another format version than this skgan reads.

        Warns
        -----
        UserWarning
            When the file was saved by another version of skgan with the same
            format version.

        See Also
        --------
        save : Write a sampler to a file.
        """
        contents = _read_model_file(path)
        try:
            sampler = cls(**{**_EARLIER_PARAMS, **decode(contents["params"])})
            sampler.__dict__.update(decode(contents["attributes"]))
            if hasattr(sampler, "_fitted"):
                sampler._expose_fitted()
        # Everything a damaged description can raise while being rebuilt.
        except Exception as exc:
            raise ValueError(
                f"Cannot load {path}: the skgan model file is damaged "
                f"({type(exc).__name__}: {exc})."
            ) from None
        return sampler

    def _check_X_y(self, X, y):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        # Images are validated, modelled and resampled as 2-D rows; the
        # caller's layout comes back in ``_restore_layout``.
        self._layout = infer_layout(X, self.image_shape)
        self.image_shape_ = None if self._layout is None else self._layout.shape
        if self._layout is not None:
            X = validate_data(
                self, X=self._layout.flatten(X), reset=True, dtype="numeric"
            )
        elif isinstance(X, pd.DataFrame):
            # Keep the frame: the codec needs its dtypes to restore them.
            validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
            # Shape checks only: as objects, no column is converted to a number.
            check_array(X.to_numpy(dtype=object), dtype=None, ensure_all_finite=False)
        else:
            # Object arrays stay object so their text columns can be categorical;
            # the codec checks each column for infinities and names it.
            X = validate_data(
                self,
                X=X,
                reset=True,
                accept_sparse=["csr", "csc"],
                dtype=None,
                ensure_all_finite=False,
            )
            if X.dtype.kind in "US":
                X = X.astype(object)
        check_consistent_length(X, y)
        return X, y, binarize_y

    def _fit_resample(self, X, y):
        self._train(X, y)
        X_new, y_new = (
            self._generate(self.sampling_strategy_),
            _labels(self.sampling_strategy_, y.dtype),
        )
        return (
            self._restore_layout(_append_rows(X, X_new)),
            np.concatenate([y, y_new]),
        )

    def _train(self, X, y):
        started = time.perf_counter()
        X = _dense(X)  # the codecs work on dense arrays; densify sparse input once
        self.config_ = config = self._check_params_vs_input(len(X))
        root = _seed_sequence(self.random_state)
        codec_seed, sample_seed = root.generate_state(2)
        self._rng = np.random.default_rng(sample_seed)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        logger.info(
            "GANOversampler: fitting on %d rows of %d classes, mode=%s, "
            "%d epochs, device %s",
            len(X),
            len(self.classes_),
            self.mode,
            config.epochs,
            config.device,
        )
        if self.image_shape_ is None:
            mask = categorical_mask(X, self.categorical_features)
            self.categorical_features_ = np.flatnonzero(mask)
            self._codec = TableCodec(
                mask, self.numeric_encoding, crossover=self.crossover
            ).fit(X, random_state=int(codec_seed))
            spans = self._codec.spans_
        else:
            self.categorical_features_ = np.empty(0, dtype=np.intp)
            self._codec = ImageCodec(self.image_shape_).fit(X)
            spans = None
        self._real_hashes = (
            np.unique(self._row_hashes(X)) if self.reject_copies else None
        )
        data = torch.from_numpy(self._codec.encode(X))
        if spans is None and config.anchor:
            # Anchored images are modelled as rows of numeric pixel values.
            data = data.flatten(1)
            spans = tuple(Span(i, i + 1, "continuous") for i in range(data.shape[1]))
        if self.mode == "conditional":
            labels = torch.from_numpy(y_index.astype(np.int64))
            with torch_threads(config.n_threads):
                self._fitted = fit_gan(config, data, labels, spans, root.spawn(1)[0])
        else:
            keys = [label for label, n in self.sampling_strategy_.items() if n > 0]
            rows_of = {key: torch.from_numpy(y == key) for key in keys}
            fits = Parallel(n_jobs=self.n_jobs)(
                delayed(_fit_class)(
                    config, data[rows_of[key]], spans, seed, f"class {key}"
                )
                for key, seed in zip(keys, root.spawn(len(keys)), strict=True)
            )
            self._fitted = dict(zip(keys, fits, strict=True))
        self._expose_fitted()
        logger.info("GANOversampler: fitted in %.1f s", time.perf_counter() - started)

    def _expose_fitted(self):
        """Set ``generator_``, ``discriminator_`` and ``history_`` from ``_fitted``."""
        if not isinstance(self._fitted, dict):
            self.generator_, self.discriminator_, self.history_ = self._fitted[:3]
            return
        self.generator_ = {key: fit.generator for key, fit in self._fitted.items()}
        self.discriminator_ = {
            key: fit.discriminator for key, fit in self._fitted.items()
        }
        self.history_ = {key: fit.history for key, fit in self._fitted.items()}

    def _check_params_vs_input(self, n_rows):
        """Check the parameters against the data; return the training config.

        Called once per fit, after ``image_shape_`` is known: every
        parameter check that the declarative constraints cannot express
        lives here.
        """
        dims = np.asarray(self.hidden_dims)
        if (
            dims.ndim != 1
            or dims.size == 0
            or dims.dtype.kind not in "iu"
            or (dims < 1).any()
        ):
            raise ValueError(
                "hidden_dims must be a non-empty sequence of positive integers, "
                f"got {self.hidden_dims!r}."
            )
        anchored = self._anchor_policy()
        policy = "anchored" if anchored else "noise"
        batch_size = (
            AUTO_BATCH[policy] if self.batch_size == "auto" else self.batch_size
        )
        if self.epochs == 0 and not anchored:
            raise ValueError(
                "epochs=0 leaves the generator untrained, which only anchored "
                "generation can use: a table with anchor='auto', or images with "
                "anchor='neighbours'."
            )
        return TrainConfig(
            epochs=(
                auto_epochs(n_rows, batch_size, AUTO_STEPS[policy])
                if self.epochs == "auto"
                else self.epochs
            ),
            batch_size=batch_size,
            latent_dim=self.latent_dim,
            hidden_dims=tuple(int(h) for h in dims),
            network=self.network,
            conv_width=self.conv_width,
            loss=self.loss,
            learning_rate=float(self.learning_rate),
            discriminator_steps=self.discriminator_steps,
            gradient_penalty=float(self.gradient_penalty),
            penalty_interval=self.penalty_interval,
            anchor=anchored,
            crossover=self.crossover,
            k_neighbors=self.k_neighbors,
            augment=self._augment_policy(),
            device=_resolve_device(self.device),
            n_threads=1 if self.n_threads == "auto" else self.n_threads,
            early_stopping=self.early_stopping,
            max_time=self.max_time,
            verbose=self.verbose,
        )

    def _generate(self, counts):
        """Decode ``counts[label]`` generated rows per class label, in order."""
        parts = [self._generate_class(label, n) for label, n in counts.items() if n > 0]
        if not parts:
            return self._codec.decode(np.empty((0, self._codec.width)))
        return _concat_rows(parts)

    def _generate_class(self, label, n):
        """``n`` decoded rows of class ``label``; with ``reject_copies``, rows
        equal to a training row are replaced by fresh draws that are not."""
        rows = self._draw(label, n)
        # Samplers fitted by skgan before 0.2.0.dev2 kept no hashes (and,
        # unpickled, have no reject_copies either).
        if getattr(self, "_real_hashes", None) is None or not self.reject_copies:
            return rows
        novel = ~np.isin(self._row_hashes(rows), self._real_hashes)
        copies, kept, n_kept = _take(rows, ~novel), [_take(rows, novel)], novel.sum()
        redraws = 0
        while n_kept < n and redraws < _MAX_REDRAWS:
            redraws += 1
            missing = n - n_kept
            # Draw enough for the missing rows at the last draw's share of novel ones.
            share = max(novel.mean(), 1 / _MAX_OVERDRAW)
            size = int(np.ceil(1.2 * missing / share))
            fresh = self._draw(label, min(max(size, _MIN_REDRAW), _MAX_ROUND))
            novel = ~np.isin(self._row_hashes(fresh), self._real_hashes)
            take = np.flatnonzero(novel)[:missing]
            kept.append(_take(fresh, take))
            n_kept += len(take)
            if len(take) == 0:
                break  # not one novel row: more draws are unlikely to find any
        if n_kept < n:
            warnings.warn(
                f"GANOversampler: {n - n_kept} of {n} synthetic rows of class "
                f"{label} copy a training row after {redraws} "
                f"redraw{'s' if redraws != 1 else ''}; "
                "the class's columns hold few other combinations of values.",
                UserWarning,
                stacklevel=2,
            )
            kept.append(_take(copies, np.arange(n - n_kept)))
        return _concat_rows(kept)

    def _draw(self, label, n):
        """``n`` decoded rows of class ``label`` from the generator."""
        seed = int(self._rng.integers(2**63))
        if self.mode == "conditional":
            fitted = self._fitted
            index = next(i for i, c in enumerate(self.classes_) if c == label)
        else:
            fitted, index = self._fitted[label], 0
        with torch_threads(self.config_.n_threads):
            rows = generate(fitted, torch.full((n,), index), seed, "cpu")
        return self._codec.decode(rows.numpy())

    def _row_hashes(self, rows):
        """Hashes of decoded or training ``rows``, equal for equal rows."""
        if isinstance(rows, pd.DataFrame):
            frame = rows.set_axis(range(rows.shape[1]), axis=1)
        else:
            frame = pd.DataFrame(rows)
        return row_hashes(frame, set(self.categorical_features_))

    def _anchor_policy(self):
        """Whether generation starts from anchors, for the fitted data."""
        if self.image_shape_ is None:
            return self.anchor is not None
        if self.anchor != "neighbours":
            return False
        height, width, channels = self.image_shape_
        if uses_conv((channels, height, width), self.network) or (
            self._augment_policy()
        ):
            raise ValueError(
                "anchor='neighbours' on images needs fully connected networks "
                "without augmentation; use network='mlp' and augment=None, or "
                "anchor='auto'."
            )
        return True

    def _augment_policy(self):
        """The augmentations ``augment`` names, in order, for the fitted data."""
        if self.augment == "auto":
            if self.image_shape_ is None:
                return ()
            height, width, channels = self.image_shape_
            conv = uses_conv((channels, height, width), self.network)
            return _AUTO_AUGMENT if conv else ()
        names = tuple(
            name.strip() for name in (self.augment or "").split(",") if name.strip()
        )
        unknown = sorted(set(names) - set(AUGMENTATIONS))
        if unknown:
            raise ValueError(
                f"augment={self.augment!r} names unknown augmentations {unknown}; "
                f"choose among {sorted(AUGMENTATIONS)}."
            )
        if names and self.image_shape_ is None:
            raise ValueError(
                f"augment={self.augment!r} needs images; set image_shape or pass "
                "a 3-D or 4-D X, or use augment=None for tables."
            )
        return names

    def _restore_layout(self, X):
        return X if self._layout is None else self._layout.restore(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        return tags


def auto_epochs(n_rows, batch_size, steps):
    """Epochs that ``epochs="auto"`` trains ``n_rows`` rows for: enough for
    about ``steps`` optimiser steps, and at least one."""
    return -(-steps // n_steps_per_epoch(n_rows, batch_size))


def _fit_class(config, data, spans, seed, desc):
    """Train one class's unconditional GAN; run in a joblib worker."""
    labels = torch.zeros(len(data), dtype=torch.int64)
    with torch_threads(config.n_threads):
        return fit_gan(config, data, labels, spans, seed, desc)


@contextmanager
def _unchanged_on_error(estimator):
    """Leave ``estimator`` as it was if the block raises or is interrupted."""
    state = dict(estimator.__dict__)
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(state)
        raise


def _read_model_file(path):
    """The checked contents of a file ``GANOversampler.save`` wrote."""
    try:
        with warnings.catch_warnings():
            # A plain pickle makes torch warn about its protocol before the
            # error below says what the file is.
            warnings.filterwarnings("ignore", "Detected pickle protocol")
            contents = torch.load(path, weights_only=True, map_location="cpu")
    except FileNotFoundError:
        raise
    except Exception as exc:
        # torch's message suggests weights_only=False, which would run the
        # file's code: only the line that gives the reason is kept.
        reason = next(
            (
                line
                for line in str(exc).splitlines()
                if line.strip() and "weights_only" not in line
            ),
            "",
        )
        raise ValueError(
            f"Cannot load {path}: it is not a readable skgan model file; it is "
            "truncated or damaged, or holds objects other than tensors and plain "
            f"values ({type(exc).__name__}: {reason})."
        ) from None
    if not isinstance(contents, dict) or contents.get("format") != "skgan":
        raise ValueError(f"Cannot load {path}: it is not a skgan model file.")
    version = contents.get("format_version")
    saved_by = contents.get("skgan_version")
    if version != FORMAT_VERSION:
        raise ValueError(
            f"Cannot load {path}: it has skgan model format version {version!r} "
            f"(saved by skgan {saved_by}), but skgan {__version__} reads version "
            f"{FORMAT_VERSION}; load it with the skgan that saved it."
        )
    if saved_by != __version__:
        warnings.warn(
            f"{path} was saved by skgan {saved_by}; loading it with skgan "
            f"{__version__}.",
            UserWarning,
            stacklevel=3,
        )
    return contents


def _seed_sequence(random_state):
    """Root seed sequence; never draws from numpy's global random state."""
    if random_state is None:
        return np.random.SeedSequence()
    if isinstance(random_state, np.random.RandomState):
        return np.random.SeedSequence(random_state.randint(np.iinfo(np.int32).max))
    return np.random.SeedSequence(random_state)


def _resolve_device(device):
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except RuntimeError as exc:
        raise ValueError(f"device={device!r} is not a torch device: {exc}") from None
    available = {
        "cpu": True,
        "cuda": torch.cuda.is_available(),
        "mps": torch.backends.mps.is_available(),
    }
    if not available.get(resolved.type, False):
        raise ValueError(f"device={device!r} is not available on this machine.")
    return resolved


def _dense(X):
    return X.toarray() if sparse.issparse(X) else X


def _labels(counts, dtype):
    return np.repeat(np.array(list(counts), dtype=dtype), list(counts.values()))


def _append_rows(X, X_new):
    if sparse.issparse(X):
        return sparse.vstack([X, sparse.csr_matrix(X_new)], format=X.format)
    return _concat_rows([X, X_new])


def _concat_rows(parts):
    if isinstance(parts[0], pd.DataFrame):
        return pd.concat(parts, ignore_index=True)
    return np.concatenate(parts)


def _take(rows, index):
    """Rows of a DataFrame or ndarray by a positional index or boolean mask."""
    return rows.iloc[index] if isinstance(rows, pd.DataFrame) else rows[index]


GANOversampler.__doc__ = GANOversampler.__doc__.format(
    sampling_strategy=BaseOverSampler._sampling_strategy_docstring
)
