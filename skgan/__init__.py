"""skgan: conditional-GAN oversampling as an imbalanced-learn sampler."""

from ._oversampler import GANOversampler

__version__ = "0.1.0"

__all__ = ["GANOversampler", "__version__"]
