"""imbalanced-learn's and scikit-learn's estimator checks."""

import pytest
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as imblearn_checks,
)
from sklearn.utils.estimator_checks import parametrize_with_checks as sklearn_checks

from skgan import GANOversampler

SAMPLERS = [
    GANOversampler(epochs=2, batch_size=32, random_state=0),
    GANOversampler(mode="per_class", epochs=2, batch_size=32, random_state=0),
]

# Every check applies and passes: nothing is listed as an expected failure.


def _listed(mark):
    """The same parametrize mark over a list: pytest drops generator arguments."""
    names, values = mark.args
    return pytest.mark.parametrize(names, list(values), **mark.kwargs)


@_listed(imblearn_checks(SAMPLERS))
def test_imblearn_checks(estimator, check):
    check(estimator)


@sklearn_checks(SAMPLERS)
def test_sklearn_checks(estimator, check):
    check(estimator)


def test_check_lists_are_collections():
    # pytest 8.4 deprecates a generator as parametrize values
    # (PytestRemovedIn9Warning); a list is also safe to collect twice.
    for test in (test_imblearn_checks, test_sklearn_checks):
        assert all(isinstance(mark.args[1], list) for mark in test.pytestmark)
