"""Shared fixtures."""

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(scope="module")
def one_blas_thread():
    """Limit OpenMP/BLAS pools to one thread for a whole test module.

    Gradient boosting's OpenMP threads slow to a crawl on a busy 2-core machine.
    """
    with threadpool_limits(1):
        yield
