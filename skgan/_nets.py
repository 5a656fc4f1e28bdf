"""Generator and discriminator builders.

Both networks are conditioned on an integer class index. The generator sees the
class as a one-hot vector next to its noise; the discriminator is a projection
discriminator (Miyato & Koyama, 2018): its score is a class-independent term plus
the inner product of a class embedding with its features. Rows of a table get
fully connected networks, ``(C, H, W)`` images DCGAN-style convolutional ones.
"""

import math
import threading
import warnings
from contextlib import contextmanager

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from ._state import saveable

# Largest image, in values (H * W * C), that ``network="auto"`` models with
# fully connected networks; larger ones get convolutional networks, whose size
# does not grow with the image's. On 8x8 and 28x28 digits fully connected
# networks learn better and many times faster on a CPU (see
# benchmarks/results/images.md and mnist.md).
MAX_MLP_VALUES = 4096
# Logit an anchored generator adds to the anchor's level of each discrete
# block: an untrained generator keeps that level about 19 times in 20 against
# ten alternatives.
ANCHOR_LOGIT = 5.0
# An anchored generator's share of the way from a row to its neighbour stays
# this far from either end. Left free, training pulls the share towards 0, so
# that synthetic rows crowd onto real ones: with a margin of 0.1 the median
# share was about 0.2 on most KEEL tables. Keeping the new value in the middle
# 30% of the way ranks best downstream among margins 0.1, 0.25 and 0.35
# (benchmarks/results/ablations.md).
SHARE_MARGIN = 0.35


class _Rebuildable(nn.Module):
    """A module that pickles and saves as its constructor arguments and state dict.

    Spectral-norm parametrisations cannot be pickled as objects; rebuilding from
    arguments also lets a network trained on a GPU load on a CPU-only machine.
    Every subclass is :func:`~skgan._state.saveable`.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        saveable(cls)

    def __new__(cls, *args, **kwargs):
        # Recorded here, before any __init__ runs, so subclasses need not
        # repeat their arguments.
        module = super().__new__(cls)
        module.__dict__["_init_args"] = (args, kwargs)
        return module

    def __reduce__(self):
        return _rebuild, (type(self), *self._init_args, self._cpu_state())

    def to_state(self):
        """The constructor arguments and the CPU state dict, as a dict."""
        args, kwargs = self._init_args
        return {"args": args, "kwargs": kwargs, "state": self._cpu_state()}

    @classmethod
    def from_state(cls, state):
        """Rebuild a module from :meth:`to_state`'s dict."""
        return _rebuild(cls, state["args"], state["kwargs"], state["state"])

    def _cpu_state(self):
        return {key: value.cpu() for key, value in self.state_dict().items()}


_global_rng_lock = threading.Lock()


@contextmanager
def seeded_global_rng(seed):
    """Seed torch's global generator for module construction, then restore it.

    Module constructors draw their initial weights from the global generator.
    Its state is forked so the caller's is left untouched, and a lock keeps
    fits running in other threads from drawing from it meanwhile.
    """
    with (
        _global_rng_lock,
        torch.random.fork_rng(devices=[]),
        warnings.catch_warnings(),
    ):
        # A table whose every column is missing has no model columns; torch
        # warns that initialising its empty output layer does nothing.
        warnings.filterwarnings("ignore", "Initializing zero-element tensors")
        torch.manual_seed(seed)
        yield


def _rebuild(cls, args, kwargs, state):
    # The initial weights are overwritten at once; any seed will do.
    with seeded_global_rng(0):
        module = cls(*args, **kwargs)
    module.load_state_dict(state)
    return module.eval()


class MLPGenerator(_Rebuildable):
    """Map noise, a class index and a condition vector to a row of model columns.

    ``discrete_spans`` lists the ``(start, stop)`` one-hot blocks of the row;
    each is emitted through a Gumbel-softmax, so generated rows look like the
    one-hot real rows the discriminator sees. ``cond_dim`` is the width of the
    condition vector that training by sampling feeds next to the noise.
    """

    def __init__(
        self,
        latent_dim,
        n_classes,
        out_dim,
        hidden_dims,
        discrete_spans=(),
        cond_dim=0,
        anchored=False,
        one_hot_codes=(),
    ):
        super().__init__()
        self.anchored = anchored
        self.latent_dim = latent_dim
        self.n_classes = n_classes
        self.discrete_spans = tuple(discrete_spans)
        # All discrete columns go through one segmented softmax, not a loop
        # over spans; the index buffers follow the module across devices.
        columns = [i for start, stop in self.discrete_spans for i in range(start, stop)]
        segments = [
            k
            for k, (start, stop) in enumerate(self.discrete_spans)
            for _ in range(start, stop)
        ]
        self.register_buffer("discrete_columns", torch.tensor(columns).long(), False)
        self.register_buffer("segments", torch.tensor(segments).long(), False)
        anchor_dim = (2 * out_dim + 1) * anchored
        layers, width = [], latent_dim + n_classes + cond_dim + anchor_dim
        for hidden in hidden_dims:
            layers += [nn.Linear(width, hidden), nn.LayerNorm(hidden), nn.ReLU()]
            width = hidden
        # An anchored generator has one more output per one-hot code: the
        # share that all of its columns take.
        self.n_codes = len({code for _, code in one_hot_codes}) if anchored else 0
        layers.append(nn.Linear(width, out_dim + self.n_codes))
        self.body = nn.Sequential(*layers)
        if anchored:
            # Start as the identity on the anchor: a small displacement, and
            # logits that favour the anchor's levels.
            with torch.no_grad():
                layers[-1].weight.mul_(0.1)
                layers[-1].bias.zero_()
            discrete = torch.zeros(out_dim, dtype=torch.bool)
            discrete[self.discrete_columns] = True
            self.register_buffer("discrete_mask", discrete, False)
            pairs = torch.tensor(one_hot_codes, dtype=torch.int64).view(-1, 2)
            self.register_buffer("code_columns", pairs[:, 0].contiguous(), False)
            self.register_buffer("code_of_column", pairs[:, 1].contiguous(), False)

    def forward(self, z, labels, cond=None, rng=None, anchor=None):
        """Generate rows; ``rng`` (a ``torch.Generator``) draws the Gumbel noise.

        An anchored generator takes each row's ``anchor`` (a real row, its
        difference to a neighbour and SMOTE's step, see
        ``skgan._train.Anchors``) as input. Each numeric value becomes the
        row's plus a share of the difference, the share being the sigmoid of
        the output plus the logit of the step, so an output of 0 gives
        SMOTE's point. The columns of a one-hot code (``one_hot_codes``
        pairs each such column with its code) take one share, from an output
        of their own, so that once rounded they all keep the row's values or
        all take the neighbour's, and the code stays one level (exactly so
        under the linear ``"standard"`` numeric encoding). A discrete
        block's output is added to the row's one-hot levels times
        ``ANCHOR_LOGIT``.
        """
        onehot = nn.functional.one_hot(labels, self.n_classes).to(z.dtype)
        inputs = [z, onehot] + [x for x in (cond, anchor) if x is not None]
        raw = self.body(torch.cat(inputs, dim=1))
        if self.anchored:
            shift = raw
            if self.n_codes:
                raw, common = raw[:, : -self.n_codes], raw[:, -self.n_codes :]
                shift = raw.index_copy(
                    1, self.code_columns, common[:, self.code_of_column]
                )
            start, delta, step = anchor.tensor_split([raw.shape[1], -1], dim=1)
            share = anchor_share(shift, step)
            raw = torch.where(
                self.discrete_mask, raw + ANCHOR_LOGIT * start, start + share * delta
            )
        if not self.discrete_spans:
            return raw
        soft = gumbel_softmax(
            raw[:, self.discrete_columns],
            rng,
            segments=self.segments,
            n_segments=len(self.discrete_spans),
        )
        return raw.index_copy(1, self.discrete_columns, soft)


def anchor_share(shift, step):
    """Share of the way from a row to its neighbour for a generator output.

    The sigmoid of ``shift`` plus the logit of SMOTE's ``step``, squeezed into
    ``[SHARE_MARGIN, 1 - SHARE_MARGIN]``: an output of 0 gives SMOTE's step
    mapped into that band.
    """
    return SHARE_MARGIN + (1 - 2 * SHARE_MARGIN) * torch.sigmoid(
        shift + torch.logit(step, eps=1e-6)
    )


def gumbel_softmax(logits, rng, tau=0.2, segments=None, n_segments=1):
    """Softmax of ``logits`` plus Gumbel noise from ``rng``, at temperature ``tau``.

    ``torch.nn.functional.gumbel_softmax`` draws from the global generator;
    this one keeps every draw on the caller's generator. ``segments`` gives
    each column the index of its block (``n_segments`` blocks), and the softmax
    is taken within each block; by default the whole row is one block. The
    argmax of a block is a sample of the categorical ``softmax(logits)``.
    """
    uniform = torch.rand(logits.shape, generator=rng, device=logits.device)
    noisy = (logits - torch.log(-torch.log(uniform.clamp(1e-10, 1 - 1e-7)))) / tau
    if segments is None:
        return torch.softmax(noisy, dim=1)
    index = segments.expand_as(noisy)
    blocks = (len(noisy), n_segments)
    # Subtracting each block's maximum keeps exp() finite, as softmax does.
    peak = noisy.new_full(blocks, -torch.inf).scatter_reduce(
        1, index, noisy.detach(), "amax"
    )
    weights = torch.exp(noisy - peak.gather(1, index))
    total = weights.new_zeros(blocks).scatter_add(1, index, weights)
    return weights / total.gather(1, index)


class MLPDiscriminator(_Rebuildable):
    """Score a row of model columns given its class index."""

    def __init__(self, in_dim, n_classes, hidden_dims, spectral=True):
        super().__init__()
        wrap = spectral_norm if spectral else (lambda layer: layer)
        layers, width = [], in_dim
        for hidden in hidden_dims:
            layers += [wrap(nn.Linear(width, hidden)), nn.LeakyReLU(0.2)]
            width = hidden
        self.body = nn.Sequential(*layers)
        self.score = wrap(nn.Linear(width, 1))
        self.embed = wrap(nn.Embedding(n_classes, width))

    def forward(self, x, labels):
        # Images are scored as flat rows.
        features = self.body(x.flatten(1))
        projection = (self.embed(labels) * features).sum(dim=1, keepdim=True)
        return self.score(features) + projection


class ImageMLPGenerator(MLPGenerator):
    """An :class:`MLPGenerator` whose rows are ``(C, H, W)`` images.

    ``bounded="hard"`` clamps the pixels to [-1, 1] (a hard tanh), so that a
    background pixel reaches the edge of the pixel range exactly, as real
    blank backgrounds do (about three quarters of the generated MNIST pixels
    are then exactly blank, against 80% of real ones). ``True``, a tanh,
    only nears the edge: it left a faint haze of low values over the
    backgrounds (0.2% of pixels exactly blank), and a linear output
    (``False``) a grey speckle. Both rebuild generators saved before.
    """

    def __init__(self, latent_dim, n_classes, image_shape, hidden_dims, bounded=False):
        super().__init__(latent_dim, n_classes, math.prod(image_shape), hidden_dims)
        self.image_shape = tuple(image_shape)
        self.bounded = bounded

    def forward(self, z, labels):
        images = super().forward(z, labels).view(-1, *self.image_shape)
        if self.bounded == "hard":
            return nn.functional.hardtanh(images)
        return torch.tanh(images) if self.bounded else images


class ConvGenerator(_Rebuildable):
    """Map noise and a class index to a ``(C, H, W)`` image in [-1, 1].

    A linear layer makes a small feature map that nearest-neighbour upsampling
    and 3x3 convolutions double until it covers the image (upsampling rather
    than transposed convolutions avoids checkerboard artefacts); an image size
    that is not a power of two is cropped from the next larger map.
    """

    def __init__(self, latent_dim, n_classes, image_shape, width):
        super().__init__()
        self.latent_dim = latent_dim
        self.n_classes = n_classes
        self.image_shape = tuple(image_shape)
        channels, height, wide = image_shape
        widths = _level_widths(height, wide, width)
        scale = 2 ** (len(widths) - 1)
        self.base = (math.ceil(height / scale), math.ceil(wide / scale))
        self.stem = nn.Sequential(
            nn.Linear(latent_dim + n_classes, widths[0] * math.prod(self.base)),
            nn.Unflatten(1, (widths[0], *self.base)),
            nn.BatchNorm2d(widths[0]),
            nn.ReLU(),
        )
        layers = []
        for inner, outer in zip(widths, widths[1:], strict=False):
            layers += [
                nn.Upsample(scale_factor=2, mode="nearest"),
                nn.Conv2d(inner, outer, 3, padding=1),
                nn.BatchNorm2d(outer),
                nn.ReLU(),
            ]
        layers += [nn.Conv2d(widths[-1], channels, 3, padding=1), nn.Tanh()]
        self.body = nn.Sequential(*layers)

    def forward(self, z, labels):
        onehot = nn.functional.one_hot(labels, self.n_classes).to(z.dtype)
        images = self.body(self.stem(torch.cat([z, onehot], dim=1)))
        _, height, wide = self.image_shape
        return images[:, :, :height, :wide]


class ConvDiscriminator(_Rebuildable):
    """Score a ``(C, H, W)`` image given its class index.

    Strided 4x4 convolutions halve the image as often as the generator doubles
    its map; the features are summed over space and projected on the class
    embedding as in :class:`MLPDiscriminator`.
    """

    def __init__(self, n_classes, image_shape, width, spectral=True):
        super().__init__()
        wrap = spectral_norm if spectral else (lambda layer: layer)
        channels, height, wide = image_shape
        widths = _level_widths(height, wide, width)[::-1]
        layers = [wrap(nn.Conv2d(channels, widths[0], 3, padding=1)), nn.LeakyReLU(0.2)]
        for inner, outer in zip(widths, widths[1:], strict=False):
            layers += [
                wrap(nn.Conv2d(inner, outer, 4, stride=2, padding=1)),
                nn.LeakyReLU(0.2),
            ]
        self.body = nn.Sequential(*layers)
        self.score = wrap(nn.Linear(widths[-1], 1))
        self.embed = wrap(nn.Embedding(n_classes, widths[-1]))

    def forward(self, x, labels):
        features = self.body(x).sum(dim=(2, 3))
        projection = (self.embed(labels) * features).sum(dim=1, keepdim=True)
        return self.score(features) + projection


def _level_widths(height, wide, width):
    """Channels per resolution, coarsest first; the finest has ``width``.

    Maps are doubled until the coarsest side is about 4 pixels, and channels
    double per halving (at most 4 * ``width``) as in DCGAN.
    """
    n_levels = 1 + max(0, int(math.log2(min(height, wide) / 4)))
    return [width * 2 ** min(level, 2) for level in reversed(range(n_levels))]


def uses_conv(sample_shape, network):
    """Whether :func:`make_networks` builds convolutional networks."""
    return len(sample_shape) == 3 and (
        network == "conv"
        or (network == "auto" and math.prod(sample_shape) > MAX_MLP_VALUES)
    )


def make_networks(
    sample_shape,
    n_classes,
    *,
    latent_dim,
    hidden_dims,
    conv_width,
    network,
    spectral,
    spans=(),
    anchored=False,
):
    """Build the generator and discriminator for samples of ``sample_shape``.

    ``(width,)`` rows get fully connected networks with ``hidden_dims``; the
    generator emits the ``"discrete"`` ``spans`` (see ``skgan._codec.Span``)
    through a Gumbel-softmax, and both networks take the one-hot condition
    over the ``conditional`` spans' levels (the discriminator as extra input
    columns); an ``anchored`` generator also takes an anchor row and outputs
    a displacement from it (see ``skgan._train.Anchors``).
    ``(C, H, W)`` images get convolutional ones with ``conv_width`` channels at
    full resolution when ``network`` is ``"conv"``, or ``"auto"`` and the
    image has more than ``MAX_MLP_VALUES`` values; otherwise fully connected
    networks on the flattened images. (Anchored images arrive as rows.)
    """
    cond_dim = sum(span.stop - span.start for span in spans if span.conditional)
    if len(sample_shape) == 1:
        (width,) = sample_shape
        discrete = tuple((s.start, s.stop) for s in spans if s.kind == "discrete")
        codes = tuple(
            (s.start, s.one_hot_code) for s in spans if s.one_hot_code is not None
        )
        generator = MLPGenerator(
            latent_dim,
            n_classes,
            width,
            hidden_dims,
            discrete,
            cond_dim,
            anchored,
            codes,
        )
    elif uses_conv(sample_shape, network):
        return (
            ConvGenerator(latent_dim, n_classes, sample_shape, conv_width),
            ConvDiscriminator(n_classes, sample_shape, conv_width, spectral=spectral),
        )
    else:
        width = math.prod(sample_shape)
        generator = ImageMLPGenerator(
            latent_dim, n_classes, sample_shape, hidden_dims, bounded="hard"
        )
    discriminator = MLPDiscriminator(
        width + cond_dim, n_classes, hidden_dims, spectral=spectral
    )
    return generator, discriminator
