"""The adversarial training loop.

It works on tensors only: a float32 matrix of model columns and an int64 vector
of class indices. Every random draw goes through one local ``torch.Generator``
so a seed fixes the run and the caller's global random state is left alone.
``fit_gan`` takes a frozen :class:`TrainConfig`, which the estimator resolves
from its parameters and the data, and returns a :class:`FittedGAN`.
"""

import copy
import logging
import math
import sys
import threading
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import NamedTuple

import torch
from torch.nn import functional as F
from tqdm.auto import tqdm

from ._nets import make_networks, seeded_global_rng
from ._state import saveable

LOSSES = ("wgan-gp", "hinge", "minimax")
logger = logging.getLogger("skgan")


@saveable
@dataclass(frozen=True)
class TrainConfig:
    """Everything one GAN fit needs besides the data, resolved and checked.

    The estimator builds it once per ``fit`` from its parameters and the
    data (see ``GANOversampler._check_params_vs_input``); nothing here reads
    the estimator.
    """

    epochs: int
    batch_size: int
    latent_dim: int
    hidden_dims: tuple
    network: str
    conv_width: int
    loss: str
    learning_rate: float
    discriminator_steps: int
    gradient_penalty: float
    penalty_interval: int
    anchor: bool
    crossover: bool
    k_neighbors: int
    augment: tuple
    device: torch.device
    n_threads: int
    verbose: int
    early_stopping: bool = False
    max_time: float | None = None


@saveable
class FittedGAN(NamedTuple):
    """One trained generator/discriminator pair, on the CPU.

    ``conditioner`` is the :class:`Conditioner` of a table, ``None`` for
    images, which are conditioned on the class only; ``anchors`` are the
    :class:`Anchors` generation starts from, ``None`` for pure-noise
    generation.
    """

    generator: torch.nn.Module
    discriminator: torch.nn.Module
    history: list
    conditioner: "Conditioner | None"
    anchors: "Anchors | None"

    def to_state(self):
        """The fields as a dict (a named tuple has no attributes to save)."""
        return self._asdict()

    @classmethod
    def from_state(cls, state):
        """Rebuild a fitted record from :meth:`to_state`'s dict."""
        return cls(**state)


def n_steps_per_epoch(n_rows, batch_size):
    """Number of optimiser steps that make one pass over ``n_rows`` rows."""
    return max(1, math.ceil(n_rows / batch_size))


_thread_lock = threading.Lock()
_thread_users = 0
_caller_threads = None


@contextmanager
def torch_threads(n_threads):
    """Run torch's CPU operations on ``n_threads`` threads, then restore.

    Float sums depend on how many threads split them, so a fixed count makes
    a seeded fit independent of the caller's settings. torch's thread count
    is global to the process: concurrent fits in threads share one count,
    and the caller's is restored when the last of them leaves.
    """
    global _thread_users, _caller_threads
    with _thread_lock:
        if _thread_users == 0:
            _caller_threads = torch.get_num_threads()
        _thread_users += 1
        torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        with _thread_lock:
            _thread_users -= 1
            if _thread_users == 0:
                torch.set_num_threads(_caller_threads)


def fit_gan(config, data, labels, spans, seed, desc="GAN"):
    """Build and train one generator/discriminator pair.

    Parameters
    ----------
    config : TrainConfig
        Resolved training settings.
    data : Tensor of shape (n_rows, width) or (n_rows, C, H, W)
        Model rows or images.
    labels : Tensor of shape (n_rows,)
        Class index of each row, from 0.
    spans : sequence of Span or None
        Column blocks of a table (see ``skgan._codec.Span``); ``None`` for
        images.
    seed : numpy.random.SeedSequence
        Seeds the initial weights and the training draws.
    desc : str, default="GAN"
        Label of the progress bar and of the loss lines.

    Returns
    -------
    fitted : FittedGAN
        The networks on the CPU, the loss history and the conditioner.

    Raises
    ------
    RuntimeError
        When a loss becomes NaN or infinite twice: once at
        ``config.learning_rate``, which warns and trains again from the same
        seed at a ``DIVERGED_LR_CUT`` times lower rate, and once at that.
    """
    init_seed, train_seed, anchor_seed = (int(s) for s in seed.generate_state(3))
    monitor = None
    if config.early_stopping:
        data, labels, monitor = _hold_out(data, labels, anchor_seed)
    conditioner = None if spans is None else Conditioner(data, labels, spans)
    anchors = (
        Anchors(
            data,
            labels,
            spans,
            anchor_seed,
            k=config.k_neighbors,
            crossover=config.crossover,
        )
        if config.anchor
        else None
    )

    def attempt(settings):
        return _fit_once(
            settings, data, labels, spans, conditioner, anchors, seeds, desc, monitor
        )

    seeds = init_seed, train_seed
    try:
        return attempt(config)
    except _Diverged as first:
        retry = replace(config, learning_rate=config.learning_rate / DIVERGED_LR_CUT)
        warnings.warn(
            f"{desc}: {first}; training again with learning_rate="
            f"{retry.learning_rate:g}.",
            RuntimeWarning,
            stacklevel=2,
        )
        try:
            return attempt(retry)
        except _Diverged as second:
            raise RuntimeError(
                f"{desc}: {second}, also with learning_rate={retry.learning_rate:g}. "
                "Lower learning_rate further, use loss='hinge', or check the "
                "data for extreme values."
            ) from None


def _fit_once(config, data, labels, spans, conditioner, anchors, seeds, desc, monitor):
    init_seed, train_seed = seeds
    with seeded_global_rng(init_seed):
        generator, discriminator = make_networks(
            tuple(data.shape[1:]),
            int(labels.max()) + 1,
            latent_dim=config.latent_dim,
            hidden_dims=config.hidden_dims,
            conv_width=config.conv_width,
            network=config.network,
            spectral=config.loss != "wgan-gp",
            spans=spans or (),
            anchored=config.anchor,
        )
    # A log file gets a line every few seconds, not one per refresh.
    interval = 0.1 if sys.stderr.isatty() else 10.0
    with tqdm(
        total=config.epochs,
        desc=desc,
        disable=config.verbose < 1,
        mininterval=interval,
    ) as bar:
        keeper = monitor and _BestGenerator(
            monitor, generator, conditioner, anchors, train_seed, config
        )

        def on_epoch(record):
            bar.update()
            line = "%s epoch %d: d_loss=%.4f g_loss=%.4f"
            values = desc, record["epoch"], record["d_loss"], record["g_loss"]
            logger.debug(line, *values)
            if config.verbose >= 2:
                bar.write(line % values)
            return keeper is not None and keeper.should_stop(record)

        history = train_gan(
            generator.to(config.device),
            discriminator.to(config.device),
            data,
            labels,
            config,
            seed=train_seed,
            conditioner=conditioner,
            anchors=anchors,
            on_epoch=on_epoch,
        )
    if keeper is not None:
        keeper.restore()
    return FittedGAN(
        generator.cpu(), discriminator.cpu(), history, conditioner, anchors
    )


def train_gan(
    generator,
    discriminator,
    data,
    labels,
    config,
    *,
    seed,
    conditioner=None,
    anchors=None,
    on_epoch=None,
):
    """Train ``generator`` against ``discriminator`` and return the loss history.

    Batches are class-balanced: each row of a batch first draws a class
    uniformly, then a row of that class, so a 10-row class is seen as often as
    a 10,000-row class.

    Each step generates one batch of fakes per discriminator update; the
    discriminator trains on them detached, and the generator's loss scores
    the last of them again against the updated discriminator, as in
    PyTorch's DCGAN example, instead of generating a batch of its own.

    ``config.augment`` names differentiable augmentations (``"translation"``,
    ``"cutout"``) applied to every image the discriminator sees, real and
    generated alike, as in DiffAugment (Zhao et al., 2020): the discriminator
    cannot memorise a handful of real images, and since fakes are augmented the
    same way the generator still learns the unaugmented images.

    Training ends early when ``config.max_time`` seconds have passed (after
    the step under way) or when ``on_epoch`` returns true.

    With ``loss="wgan-gp"`` the gradient penalty is applied every
    ``config.penalty_interval`` discriminator steps, scaled by that interval
    (lazy regularisation, Karras et al., 2020).

    A :class:`Conditioner` (tables) replaces the row of each class draw by a
    row picked by training by sampling, feeds its condition vector to both
    networks, and adds its cross-entropy term to the generator loss.
    :class:`Anchors` (tables) give each generated row its starting point.

    Returns
    -------
    history : list of dict
        One record per epoch with the mean discriminator and generator losses.
    """
    device = config.device
    data, labels = data.to(device), labels.to(device)
    conditioner = conditioner and conditioner.to(device)
    anchors = anchors and anchors.to(device)
    rng = torch.Generator(device=device).manual_seed(seed)
    draw_batch = _balanced_batches(labels, config.batch_size, rng)
    opt_d = Adam(discriminator.parameters(), config.learning_rate)
    opt_g = Adam(generator.parameters(), config.learning_rate)
    d_loss_fn, g_loss_fn = _LOSSES[config.loss]
    penalty = config.gradient_penalty * config.penalty_interval
    augment = config.augment

    def view(images):
        return diff_augment(images, augment, rng)

    def draw():
        """A batch: real rows, their classes, conditions and fakes' anchors."""
        rows = draw_batch()
        cls = labels[rows]
        if conditioner is None:
            return rows, cls, None, None
        level = conditioner.draw_levels(cls, rng, training=True)
        rows = conditioner.rows_of(cls, level, rng)
        anchor = anchors and anchors.draw(cls, level, rng)
        return rows, cls, conditioner.condition(level), anchor

    generator.train()
    discriminator.train()
    history = []
    steps = n_steps_per_epoch(len(data), config.batch_size)
    d_step = 0
    deadline = (
        None if config.max_time is None else time.perf_counter() + config.max_time
    )
    for epoch in range(1, config.epochs + 1):
        # Losses add up on the device; one transfer per epoch, not per step.
        d_total = g_total = torch.zeros((), device=device)
        step = 0
        for _ in range(steps):
            for d_round in range(config.discriminator_steps, 0, -1):
                rows, cls, cond, anchor = draw()
                real = view(_with_condition(data[rows], cond))
                # The last round's fakes keep their graph: the generator's
                # step below scores the same batch against the updated critic.
                with torch.set_grad_enabled(d_round == 1):
                    made = _fake_rows(generator, cls, cond, anchor, rng)
                fake = view(_with_condition(made.detach(), cond))
                d_loss = d_loss_fn(discriminator, real, fake, cls)
                if config.loss == "wgan-gp" and d_step % config.penalty_interval == 0:
                    d_loss = d_loss + penalty * _gradient_penalty(
                        discriminator, real, fake, cls, rng
                    )
                d_step += 1
                opt_d.zero_grad()
                d_loss.backward()
                opt_d.step()
            g_loss = g_loss_fn(discriminator(view(_with_condition(made, cond)), cls))
            if conditioner is not None:
                g_loss = g_loss + conditioner.cross_entropy(made, cond)
            opt_g.zero_grad()
            # The generator's step needs no gradients of the discriminator's weights.
            g_loss.backward(inputs=opt_g.params)
            opt_g.step()
            d_total = d_total + d_loss.detach()
            g_total = g_total + g_loss.detach()
            step += 1
            out_of_time = deadline is not None and time.perf_counter() > deadline
            if step % _CHECK_EVERY == 0 or step == steps or out_of_time:
                _check_finite(d_total + g_total, epoch)
            if out_of_time:
                break
        record = {
            "epoch": epoch,
            "d_loss": d_total.item() / step,
            "g_loss": g_total.item() / step,
        }
        history.append(record)
        stop = on_epoch is not None and on_epoch(record)
        if stop or out_of_time:
            break
    generator.eval()
    discriminator.eval()
    return history


# Early stopping: share of each class's rows held out to score the generator,
# the number of scores over training, and how many in a row may fail to
# improve before training stops.
HOLD_OUT = 0.1
N_SCORES = 20
PATIENCE = 4


def _hold_out(data, labels, seed):
    """Split off ``HOLD_OUT`` of each class's rows (none of a class under 10).

    Returns the rows to train on, their labels, and the held-out rows by
    class index, or None when every class is too small to spare any.
    """
    rng = torch.Generator().manual_seed(seed)
    held = torch.zeros(len(data), dtype=torch.bool)
    for cls in torch.unique(labels):
        rows = torch.nonzero(labels == cls).flatten()
        n = int(len(rows) * HOLD_OUT)
        held[rows[torch.randperm(len(rows), generator=rng)[:n]]] = True
    monitor = {
        int(cls): data[held & (labels == cls)] for cls in torch.unique(labels[held])
    }
    return data[~held], labels[~held], monitor or None


def energy_distance(a, b):
    """Energy distance between two samples of rows (0 when alike)."""
    a, b = a.flatten(1), b.flatten(1)
    return (
        2 * torch.cdist(a, b).mean()
        - torch.cdist(a, a).mean()
        - torch.cdist(b, b).mean()
    )


class _BestGenerator:
    """Score the generator on held-out rows now and then; keep its best state.

    Every ``config.epochs / N_SCORES`` epochs the generator draws as many
    rows of each monitored class as were held out, and the energy distance
    between them and the held-out rows, averaged over classes, is its score.
    """

    def __init__(self, monitor, generator, conditioner, anchors, seed, config):
        self.monitor, self.generator = monitor, generator
        self.conditioner, self.anchors = conditioner, anchors
        self.seed, self.device = seed + 1, config.device
        self.every = max(1, config.epochs // N_SCORES)
        self.best, self.state, self.misses = math.inf, None, 0

    def should_stop(self, record):
        """Score the generator after an epoch; whether to stop training."""
        if record["epoch"] % self.every:
            return False
        score = self.score()
        record["holdout_distance"] = score
        if score < self.best:
            self.best, self.misses = score, 0
            self.state = copy.deepcopy(self.generator.state_dict())
        else:
            self.misses += 1
        return self.misses >= PATIENCE

    def score(self):
        fitted = FittedGAN(self.generator, None, None, self.conditioner, self.anchors)
        distances = []
        for cls, real in self.monitor.items():
            labels = torch.full((len(real),), cls, dtype=torch.int64)
            fake = generate(fitted, labels, self.seed, self.device)
            distances.append(energy_distance(fake, real))
        self.generator.train()
        return float(torch.stack(distances).mean())

    def restore(self):
        """Put the best-scoring state back into the generator."""
        if self.state is not None:
            self.generator.load_state_dict(self.state)


class _Diverged(Exception):
    """A loss became NaN or infinite."""


# Steps between checks for a diverged loss; each check waits for the device.
_CHECK_EVERY = 50
# Learning rate divisor of the one retry after a diverged run.
DIVERGED_LR_CUT = 4


def _check_finite(total, epoch):
    if not torch.isfinite(total):
        raise _Diverged(
            f"training diverged (a loss became {total.item()}) in epoch {epoch}"
        )


class Adam:
    """Adam (Kingma & Ba, 2015) with GAN betas (0.5, 0.9), on foreach kernels.

    ``torch.optim.Adam`` imports torch's compiler stack the first time one is
    built, about a second in every fresh process (joblib workers, the command
    line); this one needs nothing beyond tensors.
    """

    def __init__(self, params, lr, betas=(0.5, 0.9), eps=1e-8):
        self.params = list(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.mean = [torch.zeros_like(p) for p in self.params]
        self.square = [torch.zeros_like(p) for p in self.params]
        self.t = 0

    def zero_grad(self):
        """Drop the gradients, as ``set_to_none=True`` does."""
        for param in self.params:
            param.grad = None

    @torch.no_grad()
    def step(self):
        """Update every parameter that has a gradient."""
        self.t += 1
        beta1, beta2 = self.betas
        live = [i for i, p in enumerate(self.params) if p.grad is not None]
        params = [self.params[i] for i in live]
        grads = [p.grad for p in params]
        mean = [self.mean[i] for i in live]
        square = [self.square[i] for i in live]
        torch._foreach_lerp_(mean, grads, 1 - beta1)
        torch._foreach_mul_(square, beta2)
        torch._foreach_addcmul_(square, grads, grads, 1 - beta2)
        denom = torch._foreach_sqrt(square)
        torch._foreach_div_(denom, math.sqrt(1 - beta2**self.t))
        torch._foreach_add_(denom, self.eps)
        torch._foreach_addcdiv_(params, mean, denom, -self.lr / (1 - beta1**self.t))


# Rows generated per forward pass, so that drawing millions of rows needs
# memory for one chunk of network activations only. Chunks this small keep the
# activations in the CPU's cache: 100,000 rows of yeast4 generate 1.8 times
# faster than in chunks of 65,536.
GENERATE_CHUNK = 8_192


@torch.no_grad()
def generate(fitted, labels, seed, device):
    """Draw one generated row per entry of ``labels`` (int64 class indices).

    ``fitted`` is a :class:`FittedGAN`. With a :class:`Conditioner`, each
    row's condition is drawn from the level frequencies of its class, so the
    rows follow the data's marginals; with :class:`Anchors`, each row starts
    from a point between a real row of its class and a neighbour. Rows are
    generated in chunks of ``GENERATE_CHUNK``.
    """
    rng = torch.Generator(device=device).manual_seed(seed)
    generator = fitted.generator.to(device).eval()
    conditioner = fitted.conditioner and fitted.conditioner.to(device)
    anchors = fitted.anchors and fitted.anchors.to(device)
    chunks = []
    for cls in labels.to(device).split(GENERATE_CHUNK):
        cond = anchor = None
        if conditioner is not None:
            level = conditioner.draw_levels(cls, rng, training=False)
            cond = conditioner.condition(level)
            anchor = anchors and anchors.draw(cls, level, rng)
        chunks.append(_fake_rows(generator, cls, cond, anchor, rng).cpu())
    rows = torch.cat(chunks)
    if not torch.isfinite(rows).all():
        raise RuntimeError(
            "The generator produced NaN or infinite values; fit again with a "
            "lower learning_rate."
        )
    return rows


class _Tensors:
    """A record of tensors that can move between devices as a whole."""

    def to(self, device):
        """A copy with its tensors, and nested records, on ``device``."""
        moved = object.__new__(type(self))
        moved.__dict__ = {
            key: value.to(device) if isinstance(value, _MOVABLE) else value
            for key, value in self.__dict__.items()
        }
        return moved


_MOVABLE = (torch.Tensor, _Tensors)


@saveable
class Conditioner(_Tensors):
    """Training by sampling (Xu et al., 2019) inside each class.

    For each row of a batch, whose class is given, one conditional span
    (categorical column) is drawn uniformly and one of its levels with a
    probability proportional to the log of its frequency in the class, so rare
    categories of a class are trained on; a real row of that class and level
    is drawn for the discriminator. The condition vector is the level's one-hot
    over all conditional spans. When sampling, levels are drawn in proportion
    to their frequency instead, which restores the class's own marginals.

    Parameters
    ----------
    data : Tensor of shape (n_rows, width)
        Model rows.
    labels : Tensor of shape (n_rows,)
        Class index of each row.
    spans : sequence of Span
        Blocks of ``data``; the one-hot ``conditional`` ones are conditioned on.
    """

    def __init__(self, data, labels, spans):
        spans = [(span.start, span.stop) for span in spans if span.conditional]
        self.width = sum(stop - start for start, stop in spans)
        # Without conditional spans, a single constant level keeps the draw
        # a plain class-balanced one.
        offsets = torch.tensor([0] + [stop - start for start, stop in spans]).cumsum(0)
        levels = torch.stack(
            [
                data[:, a:b].argmax(dim=1) + o
                for (a, b), o in zip(spans, offsets[:-1], strict=True)
            ]
            or [torch.zeros(len(data), dtype=torch.int64)],
            dim=1,
        )
        n_spans = levels.shape[1]
        self.n_levels = max(self.width, 1)
        keys = (labels[:, None] * self.n_levels + levels).flatten()
        counts = torch.bincount(keys, minlength=(int(labels.max()) + 1) * self.n_levels)
        self.counts = counts
        self.starts = counts.cumsum(0) - counts
        self.class_counts = counts.view(-1, self.n_levels).sum(dim=1)
        self.class_starts = self.starts[:: self.n_levels]
        self.rows = torch.argsort(keys, stable=True) // n_spans
        self.columns = torch.cat(
            [torch.arange(a, b) for a, b in spans]
            or [torch.zeros(1, dtype=torch.int64)]
        )
        span_of_level = torch.repeat_interleave(
            torch.arange(n_spans),
            torch.diff(offsets) if spans else torch.ones(1).long(),
        )
        frequency = counts.view(-1, self.n_levels).double()
        self.p_train = _per_span(torch.log1p(frequency), span_of_level, n_spans)
        self.p_sample = _per_span(frequency, span_of_level, n_spans)

    def draw_levels(self, cls, rng, training):
        """Draw one conditioned level per class index."""
        p = (self.p_train if training else self.p_sample)[cls]
        return torch.multinomial(p, 1, generator=rng).squeeze(1)

    def rows_of(self, cls, level, rng):
        """Draw a row of each class index that holds its level.

        A (class, level) pair without rows, which only a subsample can have,
        draws from all rows of the class instead.
        """
        key = cls * self.n_levels + level
        empty = self.counts[key] == 0
        start = torch.where(empty, self.class_starts[cls], self.starts[key])
        count = torch.where(empty, self.class_counts[cls], self.counts[key])
        offset = torch.rand(len(cls), generator=rng, device=cls.device) * count
        return self.rows[start + offset.long()]

    def condition(self, level):
        """The condition vectors of ``level``: one-hot over conditional spans."""
        return F.one_hot(level, self.n_levels)[:, : self.width].float()

    def cross_entropy(self, fake, cond):
        """Mean negative log-probability the generator gives each conditioned level."""
        if self.width == 0:
            return fake.new_zeros(())
        chosen = fake[:, self.columns].mul(cond).sum(dim=1)
        return -torch.log(chosen + 1e-8).mean()


def _per_span(weights, span_of_level, n_spans):
    """Normalise level weights within each span, then average over spans."""
    totals = weights.new_zeros(len(weights), n_spans).index_add_(
        1, span_of_level, weights
    )
    return weights / totals[:, span_of_level].clamp_min(1e-12) / n_spans


@saveable
class Anchors(_Tensors):
    """Points between real rows of a class and their nearest neighbours.

    The generator starts each row from such an anchor (as SMOTified-GAN and
    ConvGeN anchor theirs) and learns, for each numeric value, where between
    the row and its neighbour the new value lies, starting from SMOTE's
    step; so synthetic values stay between two real neighbours of the class,
    and rows on the class's manifold. An anchor is drawn as SMOTE
    draws a point: a real row of the class, one of its ``k`` nearest
    neighbours in the class, and a uniform step between them. The step is
    taken on the normalised numeric values whose mixture mode (or
    missingness) the two rows share; everything else, categories included,
    is the real row's, and the row is drawn to hold the conditioned level.

    Parameters
    ----------
    data : Tensor of shape (n_rows, width)
        Model rows.
    labels : Tensor of shape (n_rows,)
        Class index of each row.
    spans : sequence of Span
        Blocks of ``data``.
    seed : int
        Seeds the subsample of large classes.
    k : int
        Neighbours per row (``GANOversampler``'s ``k_neighbors``).
    max_rows : int, default=5000
        Rows kept per class (a random subsample of larger classes), which
        bounds the memory a fitted sampler holds and the neighbour search.
    crossover : bool, default=False
        Let each code of ``spans`` (``Span.one_hot_code``) start, with
        probability one half per code and anchor, from the neighbour's
        values and move back towards the row's, instead of all taking the
        row's values and SMOTE's one step towards the neighbour's.
    """

    # No crossover: also what anchors saved without one read.
    n_codes = 0

    def __init__(self, data, labels, spans, seed, k, max_rows=5_000, crossover=False):
        pool = _class_subsample(labels, max_rows, seed)
        self.data, labels = data[pool], labels[pool]
        self.conditioner = Conditioner(self.data, labels, spans)
        self.neighbours = _class_neighbours(self.data, labels, k)
        after = [*spans[1:], None][: len(spans)]
        pairs = [
            (span, mode if mode is not None and _is_mode_block(mode) else None)
            for span, mode in zip(spans, after, strict=True)
            if span.kind == "continuous"
        ]
        self.continuous = torch.tensor([span.start for span, _ in pairs]).long()
        # The mode (or missingness) of each numeric value; 0 where none is encoded.
        self.modes = torch.stack(
            [
                self.data[:, m.start : m.stop].argmax(dim=1)
                if m is not None
                else torch.zeros(len(self.data), dtype=torch.int64)
                for _, m in pairs
            ]
            or [torch.zeros(len(self.data), dtype=torch.int64)],
            dim=1,
        )[:, : len(pairs)]
        if crossover:
            coded = [
                (span.start, span.one_hot_code)
                for span, _ in pairs
                if span.one_hot_code is not None
            ]
            self.coded = torch.tensor([column for column, _ in coded]).long()
            codes, self.code_of = torch.unique(
                torch.tensor([code for _, code in coded]).long(), return_inverse=True
            )
            self.n_codes = len(codes)

    def draw(self, cls, level, rng):
        """One anchor per class index, from a real row holding ``level``.

        Returns, side by side, the real row, its difference to the neighbour
        in each numeric value (0 elsewhere, and where the two rows' mixture
        modes or missingness differ) and SMOTE's uniform step; shape
        ``(len(cls), 2 * width + 1)``. With ``crossover``, the codes drawn to
        start from the neighbour hold its values and the difference back to
        the row.
        """
        rows = self.conditioner.rows_of(cls, level, rng)
        pick = torch.randint(
            self.neighbours.shape[1], (len(rows),), generator=rng, device=rows.device
        )
        partners = self.neighbours[rows, pick]
        step = torch.rand(len(rows), 1, generator=rng, device=rows.device)
        shared = self.modes[rows] == self.modes[partners]
        start = self.data[rows]
        delta = self.data[partners][:, self.continuous] - start[:, self.continuous]
        delta = torch.zeros_like(start).index_add(1, self.continuous, delta * shared)
        if self.n_codes:
            flip = self.flips(step, rng)[:, self.code_of]
            near, gap = start[:, self.coded], delta[:, self.coded]
            start = start.index_copy(1, self.coded, torch.where(flip, near + gap, near))
            delta = delta.index_copy(1, self.coded, torch.where(flip, -gap, gap))
        return torch.cat([start, delta, step], dim=1)

    def flips(self, step, rng):
        """Which codes of each anchor start from the neighbour: each one, with
        probability one half. ``step`` is each anchor's SMOTE step, shape
        ``(n, 1)``; returns booleans of shape ``(n, n_codes)``."""
        draws = torch.rand(len(step), self.n_codes, generator=rng, device=step.device)
        return draws < 0.5


def _is_mode_block(span):
    return span.kind == "discrete" and not span.conditional


def _class_subsample(labels, max_rows, seed):
    """Indices of all rows of each class, or ``max_rows`` random ones of it."""
    rng = torch.Generator().manual_seed(seed)
    keep = []
    for cls in torch.unique(labels):
        rows = torch.nonzero(labels == cls).flatten()
        if len(rows) > max_rows:
            rows = rows[torch.randperm(len(rows), generator=rng)[:max_rows]].sort()[0]
        keep.append(rows)
    return torch.cat(keep)


def _class_neighbours(data, labels, k):
    """Indices of each row's ``k`` nearest other rows of its class.

    A class with fewer than ``k + 1`` rows repeats its neighbours; a single
    row is its own neighbour.
    """
    from sklearn.neighbors import NearestNeighbors

    neighbours = torch.empty(len(data), k, dtype=torch.int64)
    for cls in torch.unique(labels):
        rows = torch.nonzero(labels == cls).flatten()
        n = min(k, len(rows) - 1)
        if n == 0 or data.shape[1] == 0:
            found = torch.zeros(len(rows), 1, dtype=torch.int64)
        else:
            # Without X, kneighbors leaves each row out of its own neighbours.
            index = NearestNeighbors(n_neighbors=n).fit(data[rows].numpy())
            found = torch.from_numpy(index.kneighbors(return_distance=False))
        neighbours[rows] = rows[found.repeat(1, -(-k // found.shape[1]))[:, :k]]
    return neighbours


def _fake_rows(generator, cls, cond, anchor, rng):
    z = _noise(generator, len(cls), rng, cls.device)
    if cond is None:
        return generator(z, cls)
    return generator(z, cls, cond, rng, anchor)


def _with_condition(rows, cond):
    """Rows with the condition vector appended, as the discriminator sees them."""
    return rows if cond is None else torch.cat([rows, cond], dim=1)


def diff_augment(images, policy, rng):
    """Apply the augmentations named in ``policy`` to a batch of images.

    Each image gets its own random shift and cutout square, drawn from ``rng``.
    Gradients flow through both, so generated images can be augmented too.
    """
    for name in policy:
        images = AUGMENTATIONS[name](images, rng)
    return images


def _translate(images, rng, ratio=1 / 8):
    """Shift each image by up to ``ratio`` of its size, repeating the border."""
    n, _, height, width = images.shape
    dy, dx = (max(1, round(size * ratio)) for size in (height, width))
    padded = F.pad(images, (dx, dx, dy, dy), mode="replicate")
    device = images.device
    rows = torch.arange(height, device=device).view(1, -1, 1) + torch.randint(
        0, 2 * dy + 1, (n, 1, 1), generator=rng, device=device
    )
    cols = torch.arange(width, device=device).view(1, 1, -1) + torch.randint(
        0, 2 * dx + 1, (n, 1, 1), generator=rng, device=device
    )
    batch = torch.arange(n, device=device).view(-1, 1, 1)
    return padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)


def _cutout(images, rng, ratio=1 / 2):
    """Blank a square of ``ratio`` of the image size at a random place in each."""
    n, _, height, width = images.shape
    device = images.device
    inside = torch.ones(n, height, width, dtype=torch.bool, device=device)
    for shape, size in (((n, height, 1), height), ((n, 1, width), width)):
        side = max(1, round(size * ratio))
        start = torch.randint(0, size - side + 1, (n, 1), generator=rng, device=device)
        offset = torch.arange(size, device=device) - start
        inside = inside & ((offset >= 0) & (offset < side)).view(shape)
    return images * ~inside.unsqueeze(1)


AUGMENTATIONS = {"translation": _translate, "cutout": _cutout}


def _balanced_batches(labels, batch_size, rng):
    """Return a function drawing class-balanced row indices (with replacement)."""
    order = torch.argsort(labels, stable=True)
    counts = torch.bincount(labels)
    present = torch.nonzero(counts).flatten()
    starts = torch.cumsum(counts, 0) - counts

    def draw():
        cls = present[
            torch.randint(
                len(present), (batch_size,), generator=rng, device=labels.device
            )
        ]
        offset = (
            torch.rand(batch_size, generator=rng, device=labels.device) * counts[cls]
        ).long()
        return order[starts[cls] + offset]

    return draw


def _noise(generator, n, rng, device):
    return torch.randn(n, generator.latent_dim, generator=rng, device=device)


def _hinge_d_loss(discriminator, real, fake, cls):
    return (
        torch.relu(1 - discriminator(real, cls)).mean()
        + torch.relu(1 + discriminator(fake, cls)).mean()
    )


def _wasserstein_d_loss(discriminator, real, fake, cls):
    return discriminator(fake, cls).mean() - discriminator(real, cls).mean()


def _gradient_penalty(discriminator, real, fake, cls, rng):
    shape = (len(real),) + (1,) * (real.dim() - 1)
    alpha = torch.rand(shape, generator=rng, device=real.device)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(
        discriminator(mixed, cls).sum(), mixed, create_graph=True
    )
    return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()


def _minimax_d_loss(discriminator, real, fake, cls):
    return (
        F.softplus(-discriminator(real, cls)).mean()
        + F.softplus(discriminator(fake, cls)).mean()
    )


def _critic_g_loss(scores):
    return -scores.mean()


def _non_saturating_g_loss(scores):
    return F.softplus(-scores).mean()


# Discriminator and generator loss of each ``loss`` option; the minimax one is
# Goodfellow et al.'s (2014) with the non-saturating generator loss.
_LOSSES = {
    "wgan-gp": (_wasserstein_d_loss, _critic_g_loss),
    "hinge": (_hinge_d_loss, _critic_g_loss),
    "minimax": (_minimax_d_loss, _non_saturating_g_loss),
}
