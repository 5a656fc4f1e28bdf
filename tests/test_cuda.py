"""Training on a CUDA GPU: run only where torch sees one."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch

from skgan import GANOversampler

pytestmark = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="needs a CUDA GPU"
)

FAST = {"epochs": 3, "batch_size": 32, "hidden_dims": (16,), "latent_dim": 8}


def mixed_table(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "colour": pd.Categorical(rng.choice(["red", "blue", "green"], n)),
            "count": rng.integers(0, 9, n),
            "score": rng.normal(size=n),
            "income": rng.lognormal(3, 1, n),
        }
    )
    X.loc[rng.random(n) < 0.2, "income"] = np.nan
    y = np.repeat([0, 1], [n - 30, 30])
    return X, y


@pytest.mark.parametrize(
    "params",
    [{}, {"mode": "per_class"}, {"early_stopping": True, "epochs": 40}],
    ids=["conditional", "per_class", "early_stopping"],
)
def test_auto_trains_a_table_on_cuda(params):
    X, y = mixed_table()
    sampler = GANOversampler(random_state=0, **{**FAST, **params})
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.config_.device.type == "cuda"
    assert np.bincount(y_res).tolist() == [90, 90]
    new = X_res.iloc[len(X) :]
    assert set(new["colour"]) <= {"red", "blue", "green"}
    assert np.isfinite(new[["count", "score"]].to_numpy(float)).all()
    assert (new["count"] == new["count"].round()).all()


@pytest.mark.parametrize("network", ["mlp", "conv"])
def test_auto_trains_images_on_cuda(network):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(40, 16, 16), dtype=np.uint8)
    y = np.repeat([0, 1], [30, 10])
    sampler = GANOversampler(network=network, random_state=0, **FAST)
    X_res, _ = sampler.fit_resample(X, y)
    assert sampler.config_.device.type == "cuda"
    assert X_res.shape == (60, 16, 16) and X_res.dtype == np.uint8


def test_cuda_sampler_pickles_and_samples_on_the_cpu(tmp_path):
    X, y = mixed_table()
    sampler = GANOversampler(random_state=0, **FAST).fit(X, y)
    assert all(p.device.type == "cpu" for p in sampler._fitted.generator.parameters())
    loaded = pickle.loads(pickle.dumps(sampler))
    pd.testing.assert_frame_equal(loaded.sample(20, y=1), sampler.sample(20, y=1))
    sampler.save(tmp_path / "sampler.skgan")
    again = GANOversampler.load(tmp_path / "sampler.skgan")
    assert len(again.sample(20, y=1)) == 20
