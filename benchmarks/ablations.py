"""Which levers make GANOversampler's defaults? Each against the defaults.

Every variant changes one lever of the default ``GANOversampler`` and
runs the benchmark protocol on all 25 KEEL tables (one repeat of stratified
5-fold, the five classifiers, seed 0), next to SMOTE and next to the
previous release's defaults (a pure-noise GAN trained for about 1000 steps),
whose scores are read from the previous release's published run
(``results/previous/``, same folds and seeds). The default and SMOTE cells are
shared with the KEEL suite's cache.

Usage, from the repository root (about an hour on one core)::

    OMP_NUM_THREADS=1 python benchmarks/ablations.py

writes ``benchmarks/results/ablations.md``. ``--repeats 3 --name NAME`` checks
chosen ``--variants`` on three repeats, as the KEEL suite runs, into
``NAME.md``; ``--suite mixed`` runs them on the mixed-type tables instead,
next to SMOTENC and random oversampling, the mixed suite's peers.
``--datasets`` runs other tables, such as the 20 that ``run_suites.sh``
benchmarks as ``keel_unseen``; ``--published keel_unseen`` then ranks each
variant in the GAN's place among that run's other samplers.
"""

import argparse
import math
import shlex
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from compare_previous import overall_rank
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

from skgan import GANOversampler, __version__, _codec, _nets, _train
from skgan._oversampler import AUTO_BATCH, _take
from skgan.benchmark import FACTORIES, METRICS, rank_table, run_benchmark
from skgan.datasets import KEEL_SUITE, MIXED_SUITE
from skgan.report import markdown_table, provenance

RESULTS = Path(__file__).parent / "results"
PREVIOUS = "previous defaults (noise, 1000 steps)"


@contextmanager
def patched(module, **values):
    """Set attributes of one of skgan's modules for the duration of a fit."""
    saved = {name: getattr(module, name) for name in values}
    for name, value in values.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)


class _ShareMargin(GANOversampler):
    """The default sampler fitted with another ``SHARE_MARGIN``, a module
    constant of ``skgan._nets``: how far from either end of the way between
    a row and its neighbour an anchored value stays."""

    margin = _nets.SHARE_MARGIN

    def _fit_resample(self, X, y):
        with patched(_nets, SHARE_MARGIN=self.margin):
            return super()._fit_resample(X, y)


class _BoundedShare(GANOversampler):
    """The default sampler whose share is SMOTE's uniform step moved by the
    generator at most ``bound`` in logit (through a tanh), instead of squeezed
    into the band of ``SHARE_MARGIN``: new values cover the whole way between
    the two rows, as SMOTE's do."""

    bound = 1.0

    def _fit_resample(self, X, y):
        bound = self.bound

        def share(shift, step):
            return torch.sigmoid(
                torch.logit(step, eps=1e-6) + bound * torch.tanh(shift)
            )

        with patched(_nets, anchor_share=share):
            return super()._fit_resample(X, y)


class _StepAnchors(_train.Anchors):
    """Anchors whose codes start from the neighbour such that, where the
    share is SMOTE's step squeezed into the band (as the untrained generator
    gives it), each code ends with the neighbour's value with probability
    the step, not one half: a row's codes tend to come from the same row,
    and on average a code is SMOTE's point."""

    def flips(self, step, rng):
        draws = torch.rand(len(step), self.n_codes, generator=rng, device=step.device)
        # Unflipped, a code rounds to the neighbour's value where the share
        # passes one half, which the band's share does where the step does.
        return (draws < step) ^ (step > 0.5)


class _StepCrossover(GANOversampler):
    """The default sampler with :class:`_StepAnchors` for its anchors."""

    def _fit_resample(self, X, y):
        with patched(_train, Anchors=_StepAnchors):
            return super()._fit_resample(X, y)


class _ConvexAnchors(_train.Anchors):
    """Anchors whose partner is a convex combination of ``n_partners`` of the
    row's neighbours (drawn with replacement, flat Dirichlet weights), as
    ConvGeN combines a neighbourhood, instead of one neighbour: each numeric
    value's difference is the weighted sum of the differences to those
    neighbours whose mode it shares. One-hot codes keep the first
    neighbour's single difference, so that they still round to one level."""

    n_partners = 3

    def draw(self, cls, level, rng):
        rows = self.conditioner.rows_of(cls, level, rng)
        n, device = len(rows), rows.device
        pick = torch.randint(
            self.neighbours.shape[1], (n, self.n_partners), generator=rng, device=device
        )
        partners = self.neighbours[rows.unsqueeze(1), pick]
        step = torch.rand(n, 1, generator=rng, device=device)
        uniform = torch.rand(n, self.n_partners, generator=rng, device=device)
        weights = -torch.log(uniform.clamp_min(1e-12))
        weights = weights / weights.sum(dim=1, keepdim=True)
        start = self.data[rows]
        continuous = self.continuous
        shared = self.modes[partners] == self.modes[rows].unsqueeze(1)
        gaps = (
            self.data[partners][:, :, continuous] - start[:, None, continuous]
        ) * shared
        delta = torch.zeros_like(start).index_add(
            1, continuous, (weights.unsqueeze(2) * gaps).sum(dim=1)
        )
        if self.n_codes:
            single = torch.zeros_like(start).index_add(1, continuous, gaps[:, 0])
            near, gap = start[:, self.coded], single[:, self.coded]
            flip = self.flips(step, rng)[:, self.code_of]
            start = start.index_copy(1, self.coded, torch.where(flip, near + gap, near))
            delta = delta.index_copy(1, self.coded, torch.where(flip, -gap, gap))
        return torch.cat([start, delta, step], dim=1)


class _ConvexNeighbours(GANOversampler):
    """The default sampler with :class:`_ConvexAnchors` of ``n_partners``
    neighbours for its anchors."""

    n_partners = 3

    def _fit_resample(self, X, y):
        anchors = type("Anchors", (_ConvexAnchors,), {"n_partners": self.n_partners})
        with patched(_train, Anchors=anchors):
            return super()._fit_resample(X, y)


class _FractionalIntegers(GANOversampler):
    """The default sampler that treats integer columns other than 0/1 flags
    as real-valued, as SMOTE does: it neither rounds their synthetic values
    nor gives each of them one share of its own, and returns them as floats."""

    def _fit_resample(self, X, y):
        fit = _codec._NumericColumn.fit

        def fractional_fit(column_codec, column, rng):
            fit(column_codec, column, rng)
            if column_codec.integral and not column_codec.zero_one:
                column_codec.integral = False
                column_codec.dtype = np.dtype(float)
            return column_codec

        with patched(_codec._NumericColumn, fit=fractional_fit):
            return super()._fit_resample(X, y)


class _ValidatedNeighbours(GANOversampler):
    """The default sampler that chooses ``k_neighbors`` among ``choices``
    inside ``fit``, on a validation split of the training rows: an untrained
    generator (``epochs=0``, which places rows as the trained one does, see
    the user guide) with each choice is fitted on a stratified three
    quarters of them, and the choice whose synthetic rows of each class lie
    closest, in energy distance on the model encoding, to the held-out
    quarter's real rows of that class is then fitted on all of them."""

    choices = (5, 10, 20)

    def _fit_resample(self, X, y):
        from sklearn.model_selection import train_test_split

        y = np.asarray(y)
        kept, held = train_test_split(
            np.arange(len(y)),
            test_size=0.25,
            stratify=y,
            random_state=self.random_state,
        )
        params = self.get_params()
        distances, codec = {}, None
        for k in self.choices:
            trial = GANOversampler(**{**params, "k_neighbors": k, "epochs": 0})
            X_new, y_new = trial.fit_resample(_take(X, kept), y[kept])
            if codec is None:
                # Every trial encodes the same rows alike; the first one's
                # encoding measures them all.
                codec = trial._codec
                real = codec.encode(_take(X, held))
            new = np.arange(len(kept), len(y_new))
            synthetic, labels = codec.encode(_take(X_new, new)), np.asarray(y_new)[new]
            distances[k] = sum(
                float(
                    _train.energy_distance(
                        torch.from_numpy(synthetic[labels == c]),
                        torch.from_numpy(real[y[held] == c]),
                    )
                )
                for c in np.unique(labels)
            )
        best = min(self.choices, key=distances.get)
        return GANOversampler(**{**params, "k_neighbors": best}).fit_resample(X, y)


class _SharedShare(GANOversampler):
    """The default sampler in which more columns take one share, as a one-hot
    code's columns do: every integer column (``columns="integer"``) or every
    numeric column (``"numeric"``) outside the one-hot codes, 0/1 flags
    aside, takes one share per row, as SMOTE takes one step for the row."""

    columns = "integer"

    def _fit_resample(self, X, y):
        found = _codec._one_hot_codes

        def with_shared(X, codecs):
            codes = found(X, codecs)
            shared = max((c for c in codes if c is not None), default=-1) + 1
            return [
                shared if code is None and self._shares(codec) else code
                for code, codec in zip(codes, codecs, strict=True)
            ]

        with patched(_codec, _one_hot_codes=with_shared):
            return super()._fit_resample(X, y)

    def _shares(self, codec):
        if not isinstance(codec, _codec._NumericColumn) or codec.zero_one:
            return False
        return self.columns == "numeric" or codec.integral


class _Selected(GANOversampler):
    """The default sampler that draws ``overdraw`` times the rows it needs and
    keeps those whose ``k`` nearest training rows (all classes, standardised
    columns; the KEEL tables are numeric) hold the largest (``keep="safe"``)
    or smallest (``keep="border"``) share of the row's class, or that have
    any neighbour of their class (``keep="not amid"``), or that the trained
    discriminator scores as most real (``keep="real"``; on the KEEL tables it
    sees no condition vector), in the order drawn."""

    keep, overdraw, k = "safe", 2, 5

    def _fit_resample(self, X, y):
        if self.keep != "real":
            self._scaler = StandardScaler().fit(X)
            self._index = NearestNeighbors(n_neighbors=self.k)
            self._index.fit(self._scaler.transform(X))
            self._train_labels = np.asarray(y)
        return super()._fit_resample(X, y)

    def _generate_class(self, label, n):
        rows = super()._generate_class(label, self.overdraw * n)
        best = np.argsort(self._order(rows, label), kind="stable")[:n]
        return _take(rows, np.sort(best))

    def _order(self, rows, label):
        """A sort key of the drawn rows: the rows to keep sort first."""
        if self.keep == "real":
            return -self._realness(rows, label)
        near = self._index.kneighbors(
            self._scaler.transform(np.asarray(rows, dtype=float)),
            return_distance=False,
        )
        share = (self._train_labels[near] == label).mean(axis=1)
        return {
            "safe": -share,
            "border": share,
            "not amid": -(share > 0).astype(float),
        }[self.keep]

    def _realness(self, rows, label):
        data = torch.from_numpy(self._codec.encode(rows))
        index = torch.full((len(data),), list(self.classes_).index(label))
        with torch.no_grad():
            return self._fitted.discriminator(data, index).squeeze(1).numpy()


class _AveragedGenerator(GANOversampler):
    """The default sampler whose generator ends training with the exponential
    moving average (decay ``decay``) of its weights over its optimiser steps."""

    decay = 0.99

    def _fit_resample(self, X, y):
        train, base, decay = _train.train_gan, _train.Adam, self.decay
        training = {}

        class AveragingAdam(base):
            def __init__(self, params, lr):
                super().__init__(params, lr)
                if [id(p) for p in self.params] == training["ids"]:
                    training["average"] = [p.detach().clone() for p in self.params]
                    self.average = training["average"]
                else:
                    self.average = None

            def step(self):
                super().step()
                if self.average is not None:
                    torch._foreach_lerp_(self.average, self.params, 1 - decay)

        def train_gan(generator, *args, **kwargs):
            training["ids"] = [id(p) for p in generator.parameters()]
            history = train(generator, *args, **kwargs)
            with torch.no_grad():
                torch._foreach_copy_(list(generator.parameters()), training["average"])
            return history

        with patched(_train, train_gan=train_gan, Adam=AveragingAdam):
            return super()._fit_resample(X, y)


class _AuxiliaryClassifier(GANOversampler):
    """The default sampler with an auxiliary classifier (AC-GAN, Odena et al.,
    2017): a linear head on the discriminator's features predicts a row's
    class, trained by cross-entropy on the real rows, and the generator's loss
    adds that cross-entropy on its rows; each term weighs ``weight``."""

    weight = 1.0

    def _fit_resample(self, X, y):
        made, weight = [], self.weight
        d_loss_fn, g_loss_fn = _train._LOSSES[self.loss]

        def discriminator(in_dim, n_classes, hidden_dims, spectral):
            made.append(
                _ClassifyingDiscriminator(in_dim, n_classes, hidden_dims, spectral)
            )
            return made[-1]

        def d_loss(disc, real, fake, cls):
            loss = d_loss_fn(disc, real, fake, cls)
            disc(real, cls)
            return loss + weight * disc.class_loss()

        def g_loss(scores):
            # The generator's step scored its rows last.
            return g_loss_fn(scores) + weight * made[-1].class_loss()

        losses = {**_train._LOSSES, self.loss: (d_loss, g_loss)}
        with (
            patched(_nets, MLPDiscriminator=discriminator),
            patched(_train, _LOSSES=losses),
        ):
            return super()._fit_resample(X, y)


class _ClassifyingDiscriminator(_nets.MLPDiscriminator):
    """A table discriminator that keeps its last call's class logits."""

    def __init__(self, in_dim, n_classes, hidden_dims, spectral):
        super().__init__(in_dim, n_classes, hidden_dims, spectral=spectral)
        self.classify = torch.nn.Linear(self.score.in_features, n_classes)
        self.body.register_forward_hook(self._keep_logits)
        self.register_forward_pre_hook(self._keep_labels)

    def _keep_logits(self, module, inputs, features):
        self.logits = self.classify(features)

    def _keep_labels(self, module, inputs):
        self.labels = inputs[1]

    def class_loss(self):
        return torch.nn.functional.cross_entropy(self.logits, self.labels)


class _StepPenalty(GANOversampler):
    """The default sampler whose generator loss adds ``weight`` times the mean
    square of its outputs, which shift each value from SMOTE's step (0 keeps
    SMOTE's step, squeezed into the share band) and each category from the
    row's, so training moves values only as far as the discriminator's gain
    pays for."""

    weight = 1.0

    def _fit_resample(self, X, y):
        shifts, weight, share = [], self.weight, _nets.anchor_share
        d_loss_fn, g_loss_fn = _train._LOSSES[self.loss]

        def recorded_share(shift, step):
            shifts[:] = [shift]
            return share(shift, step)

        def g_loss(scores):
            # The generator's step made its rows, and so its shifts, last.
            return g_loss_fn(scores) + weight * shifts[0].square().mean()

        losses = {**_train._LOSSES, self.loss: (d_loss_fn, g_loss)}
        with (
            patched(_nets, anchor_share=recorded_share),
            patched(_train, _LOSSES=losses),
        ):
            return super()._fit_resample(X, y)


def subclass(base, **attributes):
    """A factory of ``base``, a subclass of the default sampler, with its
    class ``attributes`` set."""
    cls = type(base.__name__.lstrip("_"), (base,), attributes)
    return lambda X, y, *, seed, image_shape=None: cls(random_state=seed)


def variant(steps=None, **params):
    """A factory of the default sampler with ``params`` changed.

    ``steps`` sets ``epochs`` to about that many optimiser steps on the
    training fold, as ``epochs="auto"`` does for its own number.
    """

    def factory(X, y, *, seed, image_shape=None):
        epochs = {}
        if steps is not None:
            policy = "noise" if params.get("anchor", "auto") is None else "anchored"
            batch_size = params.get("batch_size", AUTO_BATCH[policy])
            per_epoch = _train.n_steps_per_epoch(len(X), batch_size)
            epochs["epochs"] = max(1, math.ceil(steps / per_epoch))
        return GANOversampler(random_state=seed, **params, **epochs)

    return factory


def reseeded(offset, factory):
    """The sampler of ``factory`` with the cell's seed plus ``offset`` as its
    random state: the same sampler on another random stream, which shows how
    far ranks move by chance alone."""
    return lambda X, y, *, seed, image_shape=None: factory(X, y, seed=seed + offset)


def class_sized(per_row, low, high):
    """A factory of the default sampler trained for ``per_row`` optimiser
    steps per row of the training fold's smallest class, from ``low`` to
    ``high`` steps."""

    def factory(X, y, *, seed, image_shape=None):
        smallest = np.unique(np.asarray(y), return_counts=True)[1].min()
        steps = int(np.clip(per_row * smallest, low, high))
        return variant(steps=steps)(X, y, seed=seed)

    return factory


# Names say what differs from the defaults; a changed variant needs a new name.
# Cells are cached under the name and skgan's version (``cache_name``, below),
# so a new version computes every variant again.
VARIANTS = {
    # Noise at the anchored default's 250 steps (``"auto"`` gives noise 2000).
    "anchor=None": variant(steps=250, anchor=None),
    "1000 steps": variant(steps=1000),
    "100 steps": variant(steps=100),
    "4 steps per row of the smallest class, 100 to 250": class_sized(4, 100, 250),
    "numeric_encoding='quantile'": variant(numeric_encoding="quantile"),
    "numeric_encoding='mode'": variant(numeric_encoding="mode"),
    "loss='minimax'": variant(loss="minimax"),
    "penalty_interval=1": variant(penalty_interval=1),
    "early_stopping=True": variant(early_stopping=True),
    "reject_copies=False": variant(reject_copies=False),
    "share margin 0.1": subclass(_ShareMargin, margin=0.1),
    "share margin 0.25": subclass(_ShareMargin, margin=0.25),
    "share margin 0.25, another random stream": reseeded(
        10_000, subclass(_ShareMargin, margin=0.25)
    ),
    "select safe rows (2x, kNN)": subclass(_Selected, keep="safe"),
    "select border rows (2x, kNN)": subclass(_Selected, keep="border"),
    "drop rows amid the other class (2x, kNN)": subclass(_Selected, keep="not amid"),
    "one share for integer columns": subclass(_SharedShare, columns="integer"),
    "one share for numeric columns": subclass(_SharedShare, columns="numeric"),
    "auxiliary classifier (AC-GAN)": subclass(_AuxiliaryClassifier),
    "keep the rows the discriminator finds most real (2x)": subclass(
        _Selected, keep="real"
    ),
    "moving average of generator weights (0.99)": subclass(_AveragedGenerator),
    # An untrained generator places each value at SMOTE's step squeezed into
    # the share band: what the band does without the GAN.
    "untrained generator (the share band alone)": variant(epochs=0),
    "defaults, another random stream": reseeded(10_000, variant()),
    "untrained generator, another random stream": reseeded(10_000, variant(epochs=0)),
    "SMOTE's step moved at most 1 in logit": subclass(_BoundedShare, bound=1.0),
    "SMOTE's step moved at most 2 in logit": subclass(_BoundedShare, bound=2.0),
    # Cheaper steps: one hidden layer; the rows per step before 0.2.0.dev7.
    "hidden_dims=(128,)": variant(hidden_dims=(128,)),
    "batch_size=256": variant(batch_size=256),
    # Narrower noise: a cheaper first layer and fewer normal draws per row.
    "latent_dim=32": variant(latent_dim=32),
    "latent_dim=16": variant(latent_dim=16),
    # Crossover that keeps a row's codes together as SMOTE's one step does.
    "crossover with SMOTE's step": subclass(_StepCrossover),
    # Anchors between a row and any of its k nearest class neighbours, not
    # the default 10: 5 as SMOTE's default and the sampler's up to 0.2.0.dev9.
    **{f"{k} neighbours": variant(k_neighbors=k) for k in (5, 20)},
    # Every value of a row takes the row's one step, as before 0.2.0.dev5.
    "crossover=False": variant(crossover=False),
    "crossover=False, untrained": variant(crossover=False, epochs=0),
    # SMOTE's fractional values in integer-coded columns (poker's ranks).
    "integer columns left fractional, as SMOTE leaves them": subclass(
        _FractionalIntegers
    ),
    # A cheap selection inside fit, on a validation split of the training rows.
    "k_neighbors chosen in fit (5, 10, 20) on held-out rows": subclass(
        _ValidatedNeighbours
    ),
    # ConvGeN-like anchors: a point inside the hull of several neighbours.
    **{
        f"convex combination of {m} neighbours": subclass(
            _ConvexNeighbours, n_partners=m
        )
        for m in (3, 10)
    },
    "shift from SMOTE's step penalised (weight 1)": subclass(_StepPenalty),
    "shift from SMOTE's step penalised (weight 10)": subclass(
        _StepPenalty, weight=10.0
    ),
}


for _name, _factory in VARIANTS.items():
    _factory.cache_name = f"{_name} @ {__version__}"


SUITES = {
    "keel": (list(KEEL_SUITE), {"SMOTE": FACTORIES["smote"]}),
    "mixed": (
        [f"{package}/{name}" for package, name, _ in MIXED_SUITE],
        {"SMOTENC": FACTORIES["smote"], "random oversampling": FACTORIES["ros"]},
    ),
}
"""Each suite's tables and the peers that the variants run next to."""


def published_scores(path):
    """Scores that a benchmark run wrote to ``path``, read back as exactly the
    floats written, as the cache holds the variants' scores: the default
    parser can move the last digit and so break a tie in the ranks."""
    return pd.read_csv(path, float_precision="round_trip")


def previous_scores(suite, datasets, repeats):
    """The previous defaults' scores on the first repeats of the suite's
    published run."""
    scores = published_scores(RESULTS / "previous" / f"{suite}_scores.csv")
    keep = (
        (scores["sampler"] == "gan")
        & (scores["repeat"] < repeats)
        & scores["dataset"].isin(datasets)
    )
    return scores[keep].assign(sampler=PREVIOUS)


def in_suites_place(scores, samplers, published, datasets, repeats):
    """Each of ``samplers`` (names in ``scores``) ranked in the GAN's place
    among the other samplers of the published results ``published`` (a name
    such as ``"keel"``), on their first ``repeats`` repeats, with SMOTE(NC)'s
    rank beside it."""
    published = published_scores(RESULTS / f"{published}_scores.csv")
    others = published[
        published["sampler"].ne("gan")
        & published["dataset"].isin(datasets)
        & (published["repeat"] < repeats)
    ]
    rows = {}
    for sampler in samplers:
        mine = scores[scores["sampler"] == sampler].assign(sampler="GAN")
        ranks = overall_rank(pd.concat([others, mine], ignore_index=True))
        rows[sampler] = {
            **ranks.loc["GAN"].to_dict(),
            "SMOTE(NC) overall": ranks.loc["smote", "overall"],
            "best other": ranks.drop("GAN")["overall"].idxmin(),
        }
    return pd.DataFrame(rows).T.sort_values("overall").rename_axis("in the GAN's place")


def against_defaults(means):
    """Each sampler's score minus the defaults', paired by table and classifier.

    A cell's score is the mean of the four metrics over its repeats and
    folds, as in ``paired_comparison``; here the cells of all classifiers
    are pooled, since a lever is meant to help with every classifier. Returns
    the mean difference overall and per classifier, the cells where the
    sampler scores higher or lower, and the two-sided Wilcoxon signed-rank
    p-value over the cells.
    """
    from scipy.stats import wilcoxon

    score = means.assign(score=means[list(METRICS)].mean(axis=1, skipna=False))
    wide = score.pivot_table(
        index=["dataset", "classifier"], columns="sampler", values="score", sort=False
    )
    rows = {}
    for sampler in wide.columns.drop("defaults"):
        diff = (wide[sampler] - wide["defaults"]).dropna()
        rows[sampler] = {
            "difference": diff.mean(),
            **diff.groupby(level="classifier", sort=False).mean(),
            "higher": int((diff > 0).sum()),
            "lower": int((diff < 0).sum()),
            "wilcoxon_p": wilcoxon(diff).pvalue if diff.any() else 1.0,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    return table.sort_values("difference", ascending=False)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="keel", choices=list(SUITES))
    parser.add_argument("--datasets", nargs="+")
    parser.add_argument(
        "--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS)
    )
    parser.add_argument("--repeats", type=int, default=1, choices=(1, 2, 3))
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--name")
    parser.add_argument(
        "--published",
        help="results name (such as keel_unseen) whose other samplers rank the "
        "variants in the GAN's place (default: the suite's own, with 3 repeats)",
    )
    args = parser.parse_args(argv)
    tables, peers = SUITES[args.suite]
    datasets = args.datasets or tables
    name = args.name or ("ablations" if args.suite == "keel" else "ablations_mixed")
    command = "OMP_NUM_THREADS=1 python " + shlex.join(
        ["benchmarks/ablations.py", *sys.argv[1:]]
    )
    started = provenance(command)
    samplers = {
        "defaults": FACTORIES["gan"],
        **peers,
        **{variant: VARIANTS[variant] for variant in args.variants},
    }
    scores = run_benchmark(
        args.suite,
        datasets,
        samplers,
        repeats=args.repeats,
        out=args.out,
        name=f"{name}_runs",
        command=command,
    )
    previous = previous_scores(args.suite, datasets, args.repeats)
    scores = pd.concat([scores, previous], ignore_index=True)
    keys = ["dataset", "classifier", "sampler"]
    means = scores.groupby(keys, sort=False)[[*METRICS, "fit_time"]].mean()
    means = means.reset_index()
    ranks = rank_table(means)
    by_classifier = ranks.groupby(level="classifier", sort=False).mean()
    fidelity = pd.read_csv(Path(args.out) / f"{name}_runs_fidelity.csv")
    fidelity = fidelity[fidelity["n_synthetic"] > 0]
    # Each table's held-out C2ST (synthetic rows against the test fold's real
    # rows), to hold every variant to the fidelity target on every table.
    holdout = fidelity.groupby(["dataset", "sampler"])["holdout_c2st_auc"].mean()
    holdout = holdout.unstack("sampler")
    reference = next(iter(peers))
    summary = (
        pd.DataFrame(
            {
                "overall mean rank": ranks.mean(),
                "median fit s": means.groupby("sampler")["fit_time"].median(),
                "C2ST AUC": fidelity.groupby("sampler")["c2st_auc"].mean(),
                "held-out C2ST AUC": holdout.mean(),
                f"held-out, most above {reference}": holdout.sub(
                    holdout[reference], axis=0
                ).max(),
                "DCR ratio": fidelity.groupby("sampler")["dcr_ratio"].mean(),
                "exact copies": fidelity.groupby("sampler")["exact_copy_rate"].mean(),
            }
        )
        .sort_values("overall mean rank")
        .rename_axis("sampler")
    )
    lines = [
        "# Ablations: each lever against the defaults",
        "",
        *started,
        f"- {args.suite} tables: {len(datasets)}; {args.repeats} repeat(s) of "
        "stratified 5-fold, "
        "seed 0; fit times are of one torch thread beside other jobs.",
        "",
        "Mean rank over datasets (1 = best) among the samplers below, per "
        "classifier averaged over the four metrics. C2ST AUC: synthetic "
        "minority rows against the training fold's (0.5 = indistinguishable); "
        "held-out C2ST AUC: against the test fold's real rows of the class, "
        "averaged over tables, and the most it lies above "
        f"{reference}'s on any one table; "
        "DCR ratio: distance of synthetic rows to their closest real row over "
        "real rows' own spacing; exact copies: share of synthetic rows equal "
        f"to a real row. `{PREVIOUS}` is read from "
        f"`previous/{args.suite}_scores.csv`, so it has no fidelity here (see "
        f"`{args.suite}.md` for its own).",
        "",
        "## Overall",
        "",
        markdown_table(summary),
        "",
        "## Mean rank per classifier",
        "",
        markdown_table(by_classifier.T.rename_axis("sampler")),
        "",
        "## Mean rank per classifier and metric",
        "",
        markdown_table(ranks),
        "",
        "## Scores against the defaults, paired",
        "",
        "Each sampler's score minus the defaults' on the same table and "
        "classifier (a cell: the mean of the four metrics over repeats and "
        "folds), averaged over all cells and per classifier; `higher` and "
        "`lower` count the cells, and `wilcoxon_p` is the two-sided Wilcoxon "
        "signed-rank test over them.",
        "",
        markdown_table(against_defaults(means).rename_axis("sampler"), digits=4),
        "",
    ]
    published = args.published or (args.suite if args.repeats == 3 else None)
    if published:
        placed = ["defaults", *args.variants, PREVIOUS]
        present = set(scores["sampler"])
        lines += [
            "## In the GAN's place among the suite's samplers",
            "",
            "The defaults, each variant and the previous defaults, ranked in "
            f"the GAN's place in `{published}.md`: among its other samplers "
            f"on its first {args.repeats} repeat(s) (same folds and seeds), "
            "with SMOTE(NC)'s overall rank beside it and the best of the "
            "others. `defaults` reproduces the published GAN's ranks.",
            "",
            markdown_table(
                in_suites_place(
                    scores,
                    [s for s in placed if s in present],
                    published,
                    datasets,
                    args.repeats,
                )
            ),
            "",
        ]
    report = Path(args.out) / f"{name}.md"
    report.write_text("\n".join(lines))
    print(f"wrote {report}")


if __name__ == "__main__":
    main()
