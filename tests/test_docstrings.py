"""Every public function and class has a complete numpydoc docstring."""

import inspect

import pytest
from numpydoc.validate import validate

import skgan
from skgan import benchmark, datasets, metrics, report

# Missing docstring, undocumented / unknown / misordered parameters, missing
# returns, and summaries that are not one capitalised imperative sentence.
CHECKED = {"GL08", "PR01", "PR02", "PR03", "RT01", "SS01", "SS02", "SS03", "SS05"}


def _public_names():
    names = [f"skgan.{name}" for name in skgan.__all__ if name != "__version__"]
    for module in (metrics, datasets, benchmark, report):
        names += [
            f"{module.__name__}.{name}"
            for name in module.__all__
            if callable(getattr(module, name))
        ]
    names += ["skgan.cli.main", "skgan.cli.demo"]
    for name, member in inspect.getmembers(skgan.GANOversampler):
        if not name.startswith("_") and callable(member):
            if getattr(member, "__module__", "").startswith("skgan"):
                names.append(f"skgan.GANOversampler.{name}")
    return names


@pytest.mark.parametrize("name", _public_names())
def test_numpydoc(name):
    errors = [
        f"{code}: {msg}" for code, msg in validate(name)["errors"] if code in CHECKED
    ]
    assert not errors, errors
