"""skgan: conditional-GAN oversampling as an imbalanced-learn sampler."""

__version__ = "0.2.0.dev11"

__all__ = ["GANOversampler", "plot_history", "__version__"]


def __getattr__(name):
    # Imported on first use: the estimator pulls in torch, which would cost
    # every `skgan --help` seconds.
    if name == "GANOversampler":
        from ._oversampler import GANOversampler

        return GANOversampler
    if name == "plot_history":
        from .report import plot_history

        return plot_history
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *__all__})
