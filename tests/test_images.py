"""Images behind GANOversampler: layouts, dtypes, ranges, conditioning."""

import pickle
from collections import Counter

import numpy as np
import pytest
import torch

from skgan import GANOversampler
from skgan._images import ImageCodec, infer_layout
from skgan._nets import ConvDiscriminator, ConvGenerator, make_networks
from skgan._train import diff_augment

FAST = {"epochs": 2, "batch_size": 32, "hidden_dims": (16,), "conv_width": 4}
TINY_NETS = {"latent_dim": 8, "hidden_dims": (8,), "conv_width": 4, "spectral": True}


def _images(shape, counts=(12, 5), dtype=np.uint8, high=255, seed=0):
    """Random images of ``shape`` per class, ``counts[k]`` of class ``k``."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    X = rng.integers(0, high + 1, size=(len(y), *shape)).astype(dtype)
    return X, y


@pytest.mark.parametrize(
    "shape, image_shape, flat",
    [
        ((8, 8), (8, 8), True),
        ((6, 4, 3), (6, 4, 3), True),
        ((8, 8), None, False),
        ((6, 4, 3), None, False),
        ((8, 8, 1), (8, 8), False),
    ],
)
def test_layout_is_kept(shape, image_shape, flat):
    X, y = _images(shape)
    X_in = X.reshape(len(X), -1) if flat else X
    sampler = GANOversampler(image_shape=image_shape, random_state=0, **FAST)
    X_res, y_res = sampler.fit_resample(X_in, y)
    assert X_res.shape == (24,) + X_in.shape[1:]
    np.testing.assert_array_equal(X_res[: len(X)], X_in)
    assert Counter(y_res) == {0: 12, 1: 12}
    assert sampler.n_features_in_ == np.prod(shape)
    assert sampler.image_shape_ == (*shape[:2], shape[2] if len(shape) == 3 else 1)
    assert sampler.sample(3, y=1).shape == (3,) + X_in.shape[1:]


@pytest.mark.parametrize(
    "dtype, low, high", [(np.uint8, 0, 255), (np.float32, 0, 16), (np.float64, -1, 1)]
)
def test_dtype_and_range_are_kept(dtype, low, high):
    X, y = _images((8, 8), dtype=np.float64, high=high - low)
    X = (X + low).astype(dtype)
    X_res, _ = GANOversampler(random_state=0, **FAST).fit_resample(X, y)
    synthetic = X_res[len(X) :]
    assert X_res.dtype == dtype
    assert synthetic.min() >= X.min() and synthetic.max() <= X.max()


def test_codec_round_trip_and_clipping():
    X, _ = _images((4, 5, 3))
    rows = X.reshape(len(X), -1)
    codec = ImageCodec((4, 5, 3)).fit(rows)
    Z = codec.encode(rows)
    assert Z.shape == (len(X), 3, 4, 5) and Z.dtype == np.float32
    assert Z.min() >= -1 and Z.max() <= 1
    np.testing.assert_array_equal(codec.decode(Z), rows)
    np.testing.assert_array_equal(
        codec.decode(np.full_like(Z, 3.0))[0], np.full(60, X.max())
    )


@pytest.mark.parametrize(
    "X_shape, image_shape, match",
    [
        ((10, 64), (8, 7), r"image_shape=\(8, 7\) needs 56 features per row.*64"),
        ((10, 64), (8,), r"image_shape must be \(H, W\) or \(H, W, C\)"),
        ((10, 64), (8, 0), r"image_shape must be"),
        ((10, 8, 8), (4, 16), r"image_shape=\(4, 16\) does not match.*\(8, 8\)"),
        ((10, 2, 2, 2, 2), None, r"2-D, 3-D or 4-D"),
    ],
)
def test_bad_shapes_raise(X_shape, image_shape, match):
    X = np.zeros(X_shape)
    with pytest.raises(ValueError, match=match):
        infer_layout(X, image_shape)
    y = np.arange(X_shape[0]) % 2
    with pytest.raises(ValueError, match=match):
        GANOversampler(image_shape=image_shape, **FAST).fit_resample(X, y)


def test_augment_is_validated():
    X, y = _images((4, 4))
    with pytest.raises(ValueError, match="unknown augmentations.*'rotate'"):
        GANOversampler(augment="translation,rotate", **FAST).fit(X, y)
    table = X.reshape(len(X), -1).astype(float)
    with pytest.raises(ValueError, match="augment='cutout' needs images"):
        GANOversampler(augment="cutout", **FAST).fit(table, y)
    assert GANOversampler(**FAST).fit(table, y).config_.augment == ()
    # Augmentation helps convolutional networks only; see the benchmark.
    assert GANOversampler(**FAST).fit(X, y).config_.augment == ()
    conv = GANOversampler(network="conv", **FAST).fit(X, y)
    assert conv.config_.augment == ("translation", "cutout")
    assert GANOversampler(augment=None, **FAST).fit(X, y).config_.augment == ()


def test_diff_augment_is_seeded_and_differentiable():
    images = torch.rand(6, 2, 8, 8, requires_grad=True)

    def augment(seed):
        rng = torch.Generator().manual_seed(seed)
        return diff_augment(images, ("translation", "cutout"), rng)

    out = augment(0)
    assert out.shape == images.shape
    assert torch.equal(out, augment(0)) and not torch.equal(out, augment(1))
    # Cutout blanks a 4x4 square of every image, on all its channels.
    blank = (out == 0).all(dim=1).flatten(1).sum(dim=1)
    assert (blank == 16).all()
    out.sum().backward()
    assert images.grad.abs().sum() > 0


@pytest.mark.parametrize("shape", [(1, 8, 8), (3, 16, 16), (3, 20, 12), (1, 64, 64)])
def test_conv_networks_fit_the_image_size(shape):
    generator, discriminator = make_networks(shape, 3, network="conv", **TINY_NETS)
    assert isinstance(generator, ConvGenerator)
    assert isinstance(discriminator, ConvDiscriminator)
    labels = torch.tensor([0, 1, 2])
    images = generator(torch.randn(3, 8), labels)
    assert images.shape == (3, *shape)
    assert discriminator(images, labels).shape == (3, 1)


def test_fully_connected_image_generator_clamps_its_pixels():
    generator = make_networks((1, 8, 8), 2, network="mlp", **TINY_NETS)[0]
    args, kwargs = generator._init_args
    assert kwargs["bounded"] == "hard"
    with torch.no_grad():
        generator.body[-1].weight.mul_(10)  # drive many outputs past the edge
    # Generators saved before rebuild as they were trained: a linear output,
    # then a tanh.
    linear, tanh = (type(generator)(*args[:4], bounded=b) for b in (False, True))
    for other in linear, tanh:
        other.load_state_dict(generator.state_dict())
    z = torch.randn(50, 8, generator=torch.Generator().manual_seed(0))
    labels = torch.zeros(50, dtype=torch.int64)
    with torch.no_grad():
        raw = linear(z, labels)
        assert raw.max() > 1 and raw.min() < -1
        assert torch.equal(generator(z, labels), raw.clamp(-1, 1))
        assert torch.equal(tanh(z, labels), torch.tanh(raw))
    # Clamped pixels sit exactly at the edge, as blank real backgrounds do.
    assert (generator(z, labels) == -1).any()


def test_auto_network_picks_mlp_up_to_4096_values_and_conv_beyond():
    def generator(shape):
        return make_networks(shape, 2, network="auto", **TINY_NETS)[0]

    assert not isinstance(generator((1, 8, 8)), ConvGenerator)
    assert not isinstance(generator((1, 28, 28)), ConvGenerator)
    assert not isinstance(generator((1, 64, 64)), ConvGenerator)
    assert isinstance(generator((3, 64, 64)), ConvGenerator)
    assert isinstance(generator((1, 65, 64)), ConvGenerator)


def test_conditioning_separates_classes():
    # Class 0 is bright on top, class 1 at the bottom; 5 images of class 1.
    X, y = _images((8, 8), counts=(40, 5), high=40)
    X[y == 0, :4] += 200
    X[y == 1, 4:] += 200
    sampler = GANOversampler(
        epochs=60, batch_size=32, hidden_dims=(64,), learning_rate=2e-3, random_state=0
    ).fit(X, y)

    def top_minus_bottom(label):
        images = sampler.sample(50, y=label).astype(float)
        return images[:, :4].mean() - images[:, 4:].mean()

    assert top_minus_bottom(0) > top_minus_bottom(1) + 50


@pytest.mark.parametrize("network", ["mlp", "conv"])
def test_fixed_seed_is_deterministic_and_pickles(network):
    X, y = _images((8, 8, 3))
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()

    def resample():
        # CPU: CUDA kernels need not repeat their sums bit for bit.
        sampler = GANOversampler(network=network, device="cpu", random_state=3, **FAST)
        return sampler, sampler.fit_resample(X, y)[0]

    sampler, first = resample()
    assert first.tobytes() == resample()[1].tobytes()
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.random.get_state()[1].tobytes() == numpy_state[1].tobytes()
    clone = pickle.loads(pickle.dumps(sampler))
    assert clone.sample(4, y=1).tobytes() == sampler.sample(4, y=1).tobytes()


def test_per_class_mode_takes_images():
    X, y = _images((8, 8), counts=(12, 5, 7))
    sampler = GANOversampler(mode="per_class", random_state=0, **FAST)
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.shape == (36, 8, 8) and X_res.dtype == np.uint8
    assert Counter(y_res) == {0: 12, 1: 12, 2: 12}


@pytest.mark.parametrize("mode", ["conditional", "per_class"])
def test_sampling_no_images_keeps_their_layout(mode):
    X, y = _images((8, 8), counts=(12, 5))
    sampler = GANOversampler(mode=mode, random_state=0, **FAST).fit(X, y)
    empty = sampler.sample(0, y=1)
    assert empty.shape == (0, 8, 8) and empty.dtype == np.uint8
