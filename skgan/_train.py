"""The adversarial training loop.

It works on tensors only: a float32 matrix of model columns and an int64 vector
of class indices. Every random draw goes through one local ``torch.Generator``
so a seed fixes the run and the caller's global random state is left alone.
"""

import math

import torch
from torch.nn import functional as F


def n_steps_per_epoch(n_rows, batch_size):
    """Number of optimiser steps that make one pass over ``n_rows`` rows."""
    return max(1, math.ceil(n_rows / batch_size))


def train_gan(
    generator,
    discriminator,
    data,
    labels,
    *,
    epochs,
    batch_size,
    loss,
    learning_rate,
    discriminator_steps,
    gradient_penalty,
    seed,
    device,
    augment=(),
    conditioner=None,
    on_epoch=None,
):
    """Train ``generator`` against ``discriminator`` and return the loss history.

    Batches are class-balanced: each row of a batch first draws a class
    uniformly, then a row of that class, so a 10-row class is seen as often as
    a 10,000-row class.

    ``augment`` names differentiable augmentations (``"translation"``,
    ``"cutout"``) applied to every image the discriminator sees, real and
    generated alike, as in DiffAugment (Zhao et al., 2020): the discriminator
    cannot memorise a handful of real images, and since fakes are augmented the
    same way the generator still learns the unaugmented images.

    A :class:`Conditioner` (tables) replaces the row of each class draw by a
    row picked by training by sampling, feeds its condition vector to both
    networks, and adds its cross-entropy term to the generator loss.

    Returns
    -------
    history : list of dict
        One record per epoch with the mean discriminator and generator losses.
    """
    data, labels = data.to(device), labels.to(device)
    conditioner = conditioner and conditioner.to(device)
    rng = torch.Generator(device=device).manual_seed(seed)
    draw_batch = _balanced_batches(labels, batch_size, rng)
    opt_d = torch.optim.Adam(
        discriminator.parameters(), lr=learning_rate, betas=(0.5, 0.9)
    )
    opt_g = torch.optim.Adam(generator.parameters(), lr=learning_rate, betas=(0.5, 0.9))
    d_loss_fn = _hinge_d_loss if loss == "hinge" else _wasserstein_d_loss

    def view(images):
        return diff_augment(images, augment, rng)

    def condition(rows):
        cls = labels[rows]
        if conditioner is None:
            return rows, cls, None
        rows, cond = conditioner.draw(cls, rng, training=True)
        return rows, cls, cond

    generator.train()
    discriminator.train()
    history = []
    for epoch in range(1, epochs + 1):
        d_total = g_total = 0.0
        steps = n_steps_per_epoch(len(data), batch_size)
        for _ in range(steps):
            for _ in range(discriminator_steps):
                rows, cls, cond = condition(draw_batch())
                real = view(_with_condition(data[rows], cond))
                with torch.no_grad():
                    fake = _fake_rows(generator, cls, cond, rng)
                fake = view(_with_condition(fake, cond))
                d_loss = d_loss_fn(discriminator, real, fake, cls)
                if loss == "wgan-gp":
                    d_loss = d_loss + gradient_penalty * _gradient_penalty(
                        discriminator, real, fake, cls, rng
                    )
                opt_d.zero_grad(set_to_none=True)
                d_loss.backward()
                opt_d.step()
            _, cls, cond = condition(draw_batch())
            fake = _fake_rows(generator, cls, cond, rng)
            g_loss = -discriminator(view(_with_condition(fake, cond)), cls).mean()
            if conditioner is not None:
                g_loss = g_loss + conditioner.cross_entropy(fake, cond)
            opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            opt_g.step()
            d_total += d_loss.item()
            g_total += g_loss.item()
        record = {"epoch": epoch, "d_loss": d_total / steps, "g_loss": g_total / steps}
        history.append(record)
        if on_epoch is not None:
            on_epoch(record)
    generator.eval()
    discriminator.eval()
    return history


@torch.no_grad()
def generate(generator, labels, seed, device, conditioner=None):
    """Draw one generated row per entry of ``labels`` (int64 class indices).

    With a :class:`Conditioner`, each row's condition is drawn from the
    level frequencies of its class, so the rows follow the data's marginals.
    """
    rng = torch.Generator(device=device).manual_seed(seed)
    generator.to(device).eval()
    labels = labels.to(device)
    cond = None
    if conditioner is not None:
        _, cond = conditioner.to(device).draw(labels, rng, training=False)
    return _fake_rows(generator, labels, cond, rng).cpu()


class Conditioner:
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

    def to(self, device):
        """This conditioner with its tensors on ``device``."""
        moved = object.__new__(Conditioner)
        moved.__dict__ = {
            key: value.to(device) if torch.is_tensor(value) else value
            for key, value in self.__dict__.items()
        }
        return moved

    def draw(self, cls, rng, training):
        """Draw a level per class index; return matching real rows and conditions."""
        p = (self.p_train if training else self.p_sample)[cls]
        level = torch.multinomial(p, 1, generator=rng).squeeze(1)
        key = cls * self.n_levels + level
        offset = (
            torch.rand(len(cls), generator=rng, device=cls.device) * self.counts[key]
        )
        rows = self.rows[self.starts[key] + offset.long()]
        cond = torch.nn.functional.one_hot(level, self.n_levels)[:, : self.width]
        return rows, cond.float()

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


def _fake_rows(generator, cls, cond, rng):
    z = _noise(generator, len(cls), rng, cls.device)
    return generator(z, cls) if cond is None else generator(z, cls, cond, rng)


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
