"""The adversarial training loop.

It works on tensors only: a float32 matrix of model columns and an int64 vector
of class indices. Every random draw goes through one local ``torch.Generator``
so a seed fixes the run and the caller's global random state is left alone.
"""

import math

import torch


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
    on_epoch=None,
):
    """Train ``generator`` against ``discriminator`` and return the loss history.

    Batches are class-balanced: each row of a batch first draws a class
    uniformly, then a row of that class, so a 10-row class is seen as often as
    a 10,000-row class.

    Returns
    -------
    history : list of dict
        One record per epoch with the mean discriminator and generator losses.
    """
    data, labels = data.to(device), labels.to(device)
    rng = torch.Generator(device=device).manual_seed(seed)
    draw_batch = _balanced_batches(labels, batch_size, rng)
    opt_d = torch.optim.Adam(
        discriminator.parameters(), lr=learning_rate, betas=(0.5, 0.9)
    )
    opt_g = torch.optim.Adam(generator.parameters(), lr=learning_rate, betas=(0.5, 0.9))
    d_loss_fn = _hinge_d_loss if loss == "hinge" else _wasserstein_d_loss
    generator.train()
    discriminator.train()
    history = []
    for epoch in range(1, epochs + 1):
        d_total = g_total = 0.0
        steps = n_steps_per_epoch(len(data), batch_size)
        for _ in range(steps):
            for _ in range(discriminator_steps):
                rows = draw_batch()
                real, cls = data[rows], labels[rows]
                with torch.no_grad():
                    fake = generator(_noise(generator, len(rows), rng, device), cls)
                d_loss = d_loss_fn(discriminator, real, fake, cls)
                if loss == "wgan-gp":
                    d_loss = d_loss + gradient_penalty * _gradient_penalty(
                        discriminator, real, fake, cls, rng
                    )
                opt_d.zero_grad(set_to_none=True)
                d_loss.backward()
                opt_d.step()
            cls = labels[draw_batch()]
            fake = generator(_noise(generator, len(cls), rng, device), cls)
            g_loss = -discriminator(fake, cls).mean()
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
def generate(generator, labels, seed, device):
    """Draw one generated row per entry of ``labels`` (int64 class indices)."""
    rng = torch.Generator(device="cpu").manual_seed(seed)
    z = torch.randn(len(labels), generator.latent_dim, generator=rng)
    generator.to(device).eval()
    return generator(z.to(device), labels.to(device)).cpu()


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
