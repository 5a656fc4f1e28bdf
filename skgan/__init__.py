"""skgan: conditional-GAN oversampling as an imbalanced-learn sampler."""

__version__ = "0.1.0"

__all__ = ["GANOversampler", "__version__"]


def __getattr__(name):
    # Imported on first use: the estimator pulls in torch, which would cost
    # every `skgan --help` seconds.
    if name == "GANOversampler":
        from ._oversampler import GANOversampler

        return GANOversampler
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *__all__})
