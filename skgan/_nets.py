"""Generator and discriminator builders.

Both networks are conditioned on an integer class index. The generator sees the
class as a one-hot vector next to its noise; the discriminator is a projection
discriminator (Miyato & Koyama, 2018): its score is a class-independent term plus
the inner product of a class embedding with its features.
"""

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm


class _Rebuildable(nn.Module):
    """A module that pickles as its constructor arguments and state dict.

    Spectral-norm parametrisations cannot be pickled as objects; rebuilding from
    arguments also lets a network trained on a GPU load on a CPU-only machine.
    """

    def __init__(self, **init_args):
        super().__init__()
        self.init_args = init_args

    def __reduce__(self):
        state = {key: value.cpu() for key, value in self.state_dict().items()}
        return _rebuild, (type(self), self.init_args, state)


def _rebuild(cls, init_args, state):
    # Constructors draw initial weights from torch's global generator; the
    # weights are overwritten at once, so keep the caller's state untouched.
    with torch.random.fork_rng(devices=[]):
        module = cls(**init_args)
    module.load_state_dict(state)
    return module.eval()


class MLPGenerator(_Rebuildable):
    """Map noise and a class index to a row of model columns."""

    def __init__(self, latent_dim, n_classes, out_dim, hidden_dims):
        super().__init__(
            latent_dim=latent_dim,
            n_classes=n_classes,
            out_dim=out_dim,
            hidden_dims=hidden_dims,
        )
        self.latent_dim = latent_dim
        self.n_classes = n_classes
        layers, width = [], latent_dim + n_classes
        for hidden in hidden_dims:
            layers += [nn.Linear(width, hidden), nn.LayerNorm(hidden), nn.ReLU()]
            width = hidden
        layers.append(nn.Linear(width, out_dim))
        self.body = nn.Sequential(*layers)

    def forward(self, z, labels):
        onehot = nn.functional.one_hot(labels, self.n_classes).to(z.dtype)
        return self.body(torch.cat([z, onehot], dim=1))


class MLPDiscriminator(_Rebuildable):
    """Score a row of model columns given its class index."""

    def __init__(self, in_dim, n_classes, hidden_dims, spectral=True):
        super().__init__(
            in_dim=in_dim,
            n_classes=n_classes,
            hidden_dims=hidden_dims,
            spectral=spectral,
        )
        wrap = spectral_norm if spectral else (lambda layer: layer)
        layers, width = [], in_dim
        for hidden in hidden_dims:
            layers += [wrap(nn.Linear(width, hidden)), nn.LeakyReLU(0.2)]
            width = hidden
        self.body = nn.Sequential(*layers)
        self.score = wrap(nn.Linear(width, 1))
        self.embed = wrap(nn.Embedding(n_classes, width))

    def forward(self, x, labels):
        features = self.body(x)
        projection = (self.embed(labels) * features).sum(dim=1, keepdim=True)
        return self.score(features) + projection


def make_networks(width, n_classes, *, latent_dim, hidden_dims, spectral):
    """Build the generator and discriminator for rows of ``width`` model columns."""
    generator = MLPGenerator(latent_dim, n_classes, width, hidden_dims)
    discriminator = MLPDiscriminator(width, n_classes, hidden_dims, spectral=spectral)
    return generator, discriminator
