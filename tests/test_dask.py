"""Scale-out: per-class training and grid searches on a Dask cluster via joblib."""

import joblib
import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skgan import GANOversampler

distributed = pytest.importorskip("dask.distributed")

FAST = {"epochs": 2, "batch_size": 32, "hidden_dims": (16,), "latent_dim": 8}


@pytest.fixture(scope="module")
def client():
    """Two single-threaded workers in this process: they start in a second."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(0)
    counts = [80, 28, 12]
    X = np.vstack([rng.normal(k, 1.0, size=(n, 4)) for k, n in enumerate(counts)])
    return X, np.repeat(np.arange(3), counts)


def on_cluster(client, work):
    """Run ``work()`` under joblib's dask backend; return its result and tasks."""
    with distributed.get_task_stream(client) as tasks:
        with joblib.parallel_config(backend="dask"):
            result = work()
    return result, tasks.data


def test_per_class_training_on_dask_matches_local(client, table):
    def resample():
        sampler = GANOversampler(mode="per_class", n_jobs=2, random_state=0, **FAST)
        return sampler.fit_resample(*table)

    X_local, y_local = resample()
    (X_dask, y_dask), tasks = on_cluster(client, resample)
    assert len(tasks) >= 2  # one training task per oversampled class
    assert X_dask.tobytes() == X_local.tobytes()
    np.testing.assert_array_equal(y_dask, y_local)


def test_grid_search_on_dask_matches_local(client, table):
    def search():
        pipeline = Pipeline(
            [
                ("gan", GANOversampler(random_state=0, **FAST)),
                ("clf", LogisticRegression()),
            ]
        )
        grid = GridSearchCV(pipeline, {"clf__C": [0.1, 1.0]}, cv=3, n_jobs=2)
        return grid.fit(*table).cv_results_

    local = search()
    remote, tasks = on_cluster(client, search)
    assert len(tasks) >= 6  # 2 candidates x 3 folds
    for key in [key for key in local if "test_score" in key]:
        np.testing.assert_array_equal(remote[key], local[key])
