"""imbalanced-learn's and scikit-learn's estimator checks."""

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


@imblearn_checks(SAMPLERS)
def test_imblearn_checks(estimator, check):
    check(estimator)


@sklearn_checks(SAMPLERS)
def test_sklearn_checks(estimator, check):
    check(estimator)
