import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification

from skgan import benchmark
from skgan.benchmark import (
    FACTORIES,
    appended_fidelity,
    friedman_pvalues,
    paired_comparison,
    rank_table,
    restore_cache,
    run_benchmark,
    score_predictions,
    smote_neighbours,
)
from skgan.benchmark._samplers import cache_name
from skgan.benchmark._suites import resolve_datasets, settings
from skgan.cli import build_parser, main

pytestmark = pytest.mark.usefixtures("one_blas_thread")


def _table(n_samples=120, weights=(0.85,), n_classes=2, seed=0):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_classes=n_classes,
        weights=list(weights),
        random_state=seed,
    )
    return pd.DataFrame(X, columns=list("abcd")), pd.Series(y)


def _run(out, data, samplers=("none", "ros", "smote"), classifiers=("lr", "dt"), **kw):
    return run_benchmark(
        datasets=data,
        samplers=samplers if isinstance(samplers, dict) else list(samplers),
        classifiers=list(classifiers),
        repeats=1,
        n_splits=2,
        out=out,
        name="tiny",
        progress=False,
        **kw,
    )


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """One small run shared by the tests that only read its outputs."""
    out = tmp_path_factory.mktemp("run")
    scores = _run(out, {"tiny": _table()}, command="skgan benchmark --test")
    return out, scores


def test_end_to_end_writes_reports_and_cache(first_run):
    out, scores = first_run
    assert len(scores) == 2 * 3 * 2
    assert scores["error"].isna().all()
    assert scores[list(benchmark.METRICS)].notna().all().all()
    assert (scores.loc[scores["sampler"] == "none", "fit_time"] == 0).all()
    suffixes = (".md", "_scores.csv", "_summary.csv", "_fidelity.csv", "_ranks.csv")
    for suffix in (*suffixes, "_ranks.png"):
        assert (out / f"tiny{suffix}").stat().st_size > 0
    # 12 scores, and the fidelity of ros and smote on each of the 2 folds.
    assert len(list((out / "cache").rglob("*.json"))) == 12 + 2 * 2
    fidelity = pd.read_csv(out / "tiny_fidelity.csv")
    copies = fidelity.groupby("sampler")["exact_copy_rate"].mean()
    assert copies.to_dict() == {"ros": 1.0, "smote": 0.0}
    assert (fidelity["class"] == 1).all() and fidelity["c2st_auc"].notna().all()
    report = (out / "tiny.md").read_text()
    assert report.startswith(
        "# Benchmark: tiny\n\n- Command: `skgan benchmark --test`\n"
    )
    assert "- Date: " in report and "CPUs" in report and "### tiny" in report
    assert "## Fidelity of the synthetic rows" in report
    assert "- Code: skgan " in report
    assert "- 0 of 12 scores were read from the cache; wall time " in report
    assert "The GAN against each other sampler" not in report  # no GAN here


def test_report_compares_the_gan_with_each_sampler_over_datasets(tmp_path):
    data = {"one": _table(seed=0), "two": _table(seed=1), "three": _table(seed=2)}
    samplers = {"gan": FACTORIES["smote"], "none": FACTORIES["none"]}
    _run(tmp_path, data, samplers=samplers, classifiers=["lr"])
    report = (tmp_path / "tiny.md").read_text()
    section = report.split("## The GAN against each other sampler")[1]
    row = next(line for line in section.splitlines() if line.startswith("| lr |"))
    # One row per other sampler and classifier: lr against none, 3 datasets.
    assert row.split(" | ")[1] == "none" and row.split(" | ")[5] == "3"


def test_second_run_reuses_the_cache(first_run, tmp_path):
    shutil.copytree(first_run[0], tmp_path, dirs_exist_ok=True)
    calls = []

    def refuse(X, y, *, seed, image_shape=None):
        calls.append(seed)
        raise AssertionError("cached cells must not be refitted")

    # Factories under the first run's names: the cache is keyed by name.
    refusing = dict.fromkeys(("none", "ros", "smote"), refuse)
    second = _run(tmp_path, {"tiny": _table()}, samplers=refusing)
    assert calls == []
    pd.testing.assert_frame_equal(first_run[1], second)
    assert (
        "- 12 of 12 scores were read from the cache; wall time "
        in (tmp_path / "tiny.md").read_text()
    )
    # A new classifier only fits the samplers again for its own cells.
    third = _run(tmp_path, {"tiny": _table()}, {"ros": refuse}, ["knn"])
    assert len(calls) == 2 and third["error"].str.contains("cached cells").all()


def test_failing_sampler_is_recorded_not_raised(tmp_path):
    class Broken:
        def fit_resample(self, X, y):
            raise RuntimeError("boom")

    samplers = {"none": FACTORIES["none"], "smote": lambda X, y, **kw: Broken()}
    scores = _run(tmp_path, {"tiny": _table()}, samplers, ["lr"])
    failed = scores[scores["sampler"] == "smote"]
    assert (failed["error"] == "RuntimeError: boom").all()
    assert failed[list(benchmark.METRICS)].isna().all().all()
    assert scores.loc[scores["sampler"] != "smote", "error"].isna().all()
    assert "`smote` failed 2x: RuntimeError: boom" in (tmp_path / "tiny.md").read_text()


def test_own_sampler_variants_run_beside_the_protocols(tmp_path):
    from imblearn.over_sampling import SMOTE

    samplers = {
        "ros": FACTORIES["ros"],
        "smote-k1": lambda X, y, *, seed, image_shape: SMOTE(
            k_neighbors=1, random_state=seed
        ),
    }
    scores = _run(tmp_path, {"tiny": _table()}, samplers, ["lr"])
    assert scores["sampler"].unique().tolist() == ["ros", "smote-k1"]
    assert scores["error"].isna().all()
    assert list((tmp_path / "cache").rglob("smote-k1__lr.json"))
    assert "smote-k1" in pd.read_csv(tmp_path / "tiny_ranks.csv").columns


def test_smote_neighbours_shrink_for_tiny_classes(tmp_path):
    X, y = _table(n_samples=200, weights=(0.97,))
    assert (y == 1).sum() == 6  # 3 minority rows per training fold
    scores = _run(tmp_path, {"small": (X, y)}, ["smote"], ["lr"])
    assert scores.loc[scores["sampler"] == "smote", "error"].isna().all()
    assert smote_neighbours(y) == 5 and smote_neighbours([0, 0, 1]) == 1
    assert smote_neighbours([0] * 9 + [1] * 3) == 2


def test_appended_fidelity_scores_only_the_new_rows():
    X, y = _table()
    minority = X[y == 1]
    X_res = pd.concat([X, minority], ignore_index=True)
    y_res = pd.concat([y, y[y == 1]], ignore_index=True)
    (record,) = appended_fidelity(X, y, X_res, y_res)
    assert record["class"] == "1" and record["n_synthetic"] == len(minority)
    assert record["exact_copy_rate"] == 1.0 and record["column_distance"] == 0.0
    assert appended_fidelity(X, y, X, y) == []


def test_multiclass_svc_and_mixed_table(tmp_path):
    X, y = _table(n_samples=150, weights=(0.6, 0.3), n_classes=3)
    X["colour"] = pd.Categorical(np.where(X["a"] > 0, "red", "blue"))
    X.loc[::9, "b"] = np.nan
    scores = _run(
        tmp_path, {"mixed": (X, y)}, samplers=["none", "ros"], classifiers=["svc"]
    )
    assert scores["error"].isna().all()
    assert scores["auc"].between(0.5, 1.0).all()


def test_digits_suite_uses_seeds(tmp_path):
    scores = run_benchmark(
        "digits",
        samplers=["none"],
        classifiers=["knn"],
        repeats=2,
        out=tmp_path,
        progress=False,
    )
    assert scores[["repeat", "fold"]].values.tolist() == [[0, 0], [1, 0]]
    assert (scores["balanced_accuracy"] > 0.7).all()


def test_mnist_suite_gives_the_gan_28x28_images_and_leaves_out_ctgan():
    (task,) = resolve_datasets("mnist", ["mnist"])
    assert task.image_shape == (28, 28) and not task.folds and not task.fidelity
    first = next(task.split(1, 5, 0))
    assert first.X_train.shape == (1056, 784) and first.X_test.shape == (1000, 784)
    run = settings("mnist", None, None, None, None, None, False)
    assert run.samplers == ["none", "ros", "smote", "borderline", "adasyn", "gan"]
    assert run.repeats == 5 and run.datasets == ("mnist",)


def test_mnist_suite_scores_without_fidelity(tmp_path):
    scores = run_benchmark(
        "mnist", samplers=["ros"], classifiers=["knn"], repeats=1, out=tmp_path
    )
    assert scores["balanced_accuracy"].between(0.5, 1).all()
    assert not list(tmp_path.rglob("*fidelity*"))
    assert "No fidelity for mnist" in (tmp_path / "mnist.md").read_text()


def test_rank_table_on_a_hand_made_case():
    means = pd.DataFrame(
        {
            "dataset": ["d1"] * 3 + ["d2"] * 3 + ["d3"] * 3,
            "classifier": "lr",
            "sampler": ["none", "ros", "gan"] * 3,
            # d1: gan > ros > none; d2: ros = gan tie > none; d3: gan failed.
            "f1": [0.1, 0.5, 0.9, 0.2, 0.6, 0.6, 0.4, 0.7, np.nan],
        }
    )
    table = rank_table(means, ["f1"])
    assert table.index.tolist() == [("lr", "f1")]
    assert table.columns.tolist() == ["none", "ros", "gan"]
    expected = {
        "none": (3 + 3 + 2) / 3,
        "ros": (2 + 1.5 + 1) / 3,
        "gan": (1 + 1.5 + 3) / 3,
    }
    assert table.loc[("lr", "f1")].to_dict() == pytest.approx(expected)


def test_friedman_pvalue_hand_computed():
    means = pd.DataFrame(
        {
            "dataset": np.repeat(["d1", "d2", "d3"], 3),
            "classifier": "knn",
            "sampler": ["a", "b", "c"] * 3,
            "auc": [0.9, 0.8, 0.7] * 3,
        }
    )
    # Rank sums 3, 6, 9, n=3 blocks, k=3: 12/(n k (k+1)) * 126 - 3n(k+1) = 6.
    pvalues = friedman_pvalues(means, ["auc"])
    assert pvalues[("knn", "auc")] == pytest.approx(math.exp(-3))
    two_samplers = means[means["sampler"] != "c"]
    assert np.isnan(friedman_pvalues(two_samplers, ["auc"]).iloc[0])


def test_paired_comparison_hand_computed():
    datasets = [f"d{k}" for k in range(6)]
    gan = np.linspace(0.6, 0.9, 6)
    means = pd.DataFrame(
        {
            "dataset": np.repeat(datasets, 4),
            "classifier": "lr",
            "sampler": ["gan", "worse", "same", "gappy"] * 6,
            "f1": np.ravel([[g, g - 0.1, g, g - 0.2] for g in gan]),
            "auc": np.ravel([[g, g - 0.3, g, g] for g in gan]),
        }
    )
    means.loc[(means["sampler"] == "gappy") & (means["dataset"] == "d0"), "auc"] = (
        np.nan
    )
    table = paired_comparison(means, metrics=["f1", "auc"]).loc["lr"]
    worse, same, gappy = table.loc["worse"], table.loc["same"], table.loc["gappy"]
    # Six wins out of six: the exact two-sided p-value is 2 / 2**6.
    assert (worse["wins"], worse["losses"], worse["datasets"]) == (6, 0, 6)
    assert worse["difference"] == pytest.approx(0.2)
    assert worse["wilcoxon_p"] == pytest.approx(2 / 2**6)
    assert (same["wins"], same["losses"], same["wilcoxon_p"]) == (0, 0, 1.0)
    # A dataset without a score leaves the pair; five wins: 2 / 2**5.
    assert (gappy["datasets"], gappy["wins"]) == (5, 5)
    assert gappy["wilcoxon_p"] == pytest.approx(2 / 2**5)
    # Holm over three comparisons: 3 p1, max(3 p1, 2 p2), max(.., 1 p3).
    assert worse["holm_p"] == pytest.approx(3 * 2 / 2**6)
    assert gappy["holm_p"] == pytest.approx(2 * 2 / 2**5)
    assert same["holm_p"] == 1.0


def test_score_predictions_known_values():
    binary = score_predictions(
        [0, 0, 0, 1], [0, 0, 1, 1], [-2.0, -1.0, 0.5, 3.0], classes=[0, 1], minority=1
    )
    assert binary["auc"] == 1.0
    assert binary["f1"] == pytest.approx(2 / 3)
    assert binary["balanced_accuracy"] == pytest.approx((2 / 3 + 1) / 2)
    assert binary["gmean"] == pytest.approx(math.sqrt(2 / 3))
    # Decision values that do not sum to one, as SVC gives them.
    scores = np.array(
        [[3.0, 0.0, -1.0], [0.0, 2.0, 0.0], [-1.0, 0.0, 5.0], [0.0, 1.0, 0.5]]
    )
    multi = score_predictions([0, 1, 2, 1], [0, 1, 2, 2], scores, [0, 1, 2], minority=0)
    assert multi["auc"] == 1.0
    assert multi["f1"] == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)


def test_invalid_arguments_name_the_parameter(tmp_path):
    data = {"tiny": _table()}
    with pytest.raises(ValueError, match="`samplers`"):
        _run(tmp_path, data, samplers=["smoote"])
    with pytest.raises(ValueError, match="`classifiers`"):
        _run(tmp_path, data, classifiers=[])
    with pytest.raises(ValueError, match="`suite`"):
        run_benchmark("uci", out=tmp_path)
    with pytest.raises(ValueError, match="`n_splits`"):
        run_benchmark(datasets=data, n_splits=1, out=tmp_path)
    with pytest.raises(ValueError, match="Unknown KEEL dataset"):
        run_benchmark("keel", ["glas4"], out=tmp_path)


def test_cli_subcommand_passes_arguments(monkeypatch, capsys, tmp_path):
    received = {}

    def fake_run(*args, **kwargs):
        received.update(a=args, k=kwargs)
        scores = pd.DataFrame()
        scores.attrs["files"] = [tmp_path / "keel.md"]
        return scores

    monkeypatch.setattr(benchmark, "run_benchmark", fake_run)
    parser = build_parser()
    argv = [
        "benchmark",
        "--suite",
        "mixed",
        "--samplers",
        "none",
        "gan",
        "--repeats",
        "2",
    ]
    args = parser.parse_args([*argv, "--quick"])
    assert args.func(args) is None
    assert received["a"] == ("mixed", None, ["none", "gan"], None)
    assert received["k"]["repeats"] == 2 and received["k"]["quick"] is True
    assert received["k"]["command"].startswith("skgan " + " ".join(argv))
    # Run as the `skgan` script, the report records the command as typed.
    monkeypatch.setattr("sys.argv", ["/usr/bin/skgan", *argv])
    args.func(args)
    assert received["k"]["command"] == "skgan " + " ".join(argv)
    assert f"  {tmp_path / 'keel.md'}" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        parser.parse_args(["benchmark", "--samplers", "smoote"])


def test_gan_cache_name_follows_its_defaults(monkeypatch):
    import skgan

    gan = FACTORIES["gan"]
    assert cache_name("smote", FACTORIES["smote"]) == "smote"
    before = cache_name("gan", gan)
    assert before == cache_name("gan", gan)
    # Digits are modelled as images, which must not share the tables' cells.
    assert cache_name("gan", gan, (8, 8)) != before
    # A caller's own GAN factory is cached under its own name.
    assert cache_name("gan-hinge", lambda X, y, **kw: None) == "gan-hinge"
    # ... or under the name it carries, such as one that names skgan's version.
    hinge = lambda X, y, **kw: None  # noqa: E731
    hinge.cache_name = "gan-hinge @ 1.0"
    assert cache_name("gan-hinge", hinge) == "gan-hinge @ 1.0"
    defaults = skgan.GANOversampler.__init__.__kwdefaults__
    assert defaults["loss"] != "hinge"
    monkeypatch.setitem(defaults, "loss", "hinge")
    assert cache_name("gan", gan) != before


class _Broken:
    def fit_resample(self, X, y):
        raise RuntimeError("boom")


def _refusing(names):
    def refuse(X, y, *, seed, image_shape=None):
        raise AssertionError("cached cells must not be refitted")

    return dict.fromkeys(names, refuse)


def _cache_files(out):
    return {
        path.relative_to(out): path.read_text()
        for path in (out / "cache").rglob("*.json")
    }


def test_cache_restored_from_the_results_files(tmp_path):
    from imblearn import FunctionSampler

    first, second = tmp_path / "first", tmp_path / "second"
    samplers = {
        **{name: FACTORIES[name] for name in ("none", "ros", "smote")},
        # A sampler that fails leaves no fidelity; one that adds no rows, [].
        "broken": lambda X, y, **kw: _Broken(),
        "same": lambda X, y, **kw: FunctionSampler(validate=False),
    }
    _run(first, {"tiny": _table()}, samplers)
    second.mkdir()
    for suffix in ("_scores.csv", "_fidelity.csv"):
        shutil.copy(first / f"tiny{suffix}", second / f"tiny{suffix}")
    # 5 samplers x 2 classifiers x 2 folds, and the fidelity of 3 samplers.
    assert restore_cache(second / "tiny_scores.csv", second, n_splits=2) == 20 + 6
    assert _cache_files(second) == _cache_files(first)
    assert restore_cache(second / "tiny_scores.csv", second, n_splits=2) == 0
    _run(second, {"tiny": _table()}, _refusing(samplers))
    for suffix in ("_scores.csv", "_fidelity.csv"):
        assert (second / f"tiny{suffix}").read_text() == (
            first / f"tiny{suffix}"
        ).read_text()
    assert (
        "- 20 of 20 scores were read from the cache;"
        in (second / "tiny.md").read_text()
    )


def test_fidelity_scores_synthetic_rows_against_the_test_fold(first_run, tmp_path):
    fidelity = pd.read_csv(first_run[0] / "tiny_fidelity.csv")
    assert fidelity["holdout_c2st_auc"].between(0, 1).all()
    # A fidelity file from before the held-out C2ST restores without it.
    for suffix in ("_scores.csv", "_fidelity.csv"):
        shutil.copy(first_run[0] / f"tiny{suffix}", tmp_path / f"tiny{suffix}")
    fidelity.drop(columns="holdout_c2st_auc").to_csv(
        tmp_path / "tiny_fidelity.csv", index=False
    )
    assert restore_cache(tmp_path / "tiny_scores.csv", tmp_path, n_splits=2) == 16
    restored = [
        record
        for path in (tmp_path / "cache").rglob("*fidelity.json")
        for record in json.loads(path.read_text())
    ]
    assert len(restored) == 4 and all(
        np.isnan(r["holdout_c2st_auc"]) and r["c2st_auc"] > 0 for r in restored
    )


def test_cached_fidelity_from_before_the_held_out_c2st_stays_valid():
    from skgan.benchmark._cells import _fidelity_flaw

    record = dict.fromkeys(benchmark.FIDELITY, 0.5)
    older = {k: v for k, v in record.items() if k != "holdout_c2st_auc"}
    assert _fidelity_flaw([record]) is None and _fidelity_flaw([older]) is None
    broken = {k: v for k, v in record.items() if k != "c2st_auc"}
    assert _fidelity_flaw([broken]) == "a per-class record without its fidelity numbers"


def test_restore_refuses_gan_cells_and_other_folds(first_run, tmp_path):
    scores_csv = first_run[0] / "tiny_scores.csv"
    with pytest.raises(ValueError, match="`samplers` must be among"):
        restore_cache(scores_csv, tmp_path, samplers=["gan"])
    with pytest.raises(ValueError, match="n_splits=5 has folds"):
        restore_cache(scores_csv, tmp_path)
    assert restore_cache(scores_csv, tmp_path, samplers=["ros"], n_splits=2) == 6
    written = {path.name for path in (tmp_path / "cache").rglob("*.json")}
    assert written == {"ros__lr.json", "ros__dt.json", "ros__fidelity.json"}


def test_corrupt_cache_files_are_recomputed_and_reported(first_run, tmp_path, capsys):
    shutil.copytree(first_run[0], tmp_path, dirs_exist_ok=True)
    folder = tmp_path / "cache" / "tiny" / "k2-seed0" / "r0-f1"
    (folder / "ros__lr.json").write_text('{"f1": 0.5, "gmean"')  # truncated
    (folder / "smote__dt.json").write_text('"0.9"')
    (folder / "none__lr.json").write_text('{"f1": 0.5, "error": null}')
    (folder / "smote__fidelity.json").write_text('{"c2st_auc": 0.5}')
    capsys.readouterr()
    scores = _run(tmp_path, {"tiny": _table()})
    pd.testing.assert_frame_equal(
        scores.drop(columns="fit_time"), first_run[1].drop(columns="fit_time")
    )
    assert (tmp_path / "tiny_fidelity.csv").read_text() == (
        first_run[0] / "tiny_fidelity.csv"
    ).read_text()
    report = (tmp_path / "tiny.md").read_text()
    assert "- 9 of 12 scores were read from the cache;" in report
    assert "- 4 corrupt cache file(s) were recomputed: cache/tiny/" in report
    stderr = capsys.readouterr().err
    assert stderr.count("note: recomputing corrupt cache file cache/tiny/") == 4
    assert "smote__dt.json (a str, not a score record)" in stderr
    assert "none__lr.json (no gmean, auc, balanced_accuracy, fit_time)" in stderr
    _run(tmp_path, {"tiny": _table()}, _refusing(("none", "ros", "smote")))
    assert "corrupt" not in (tmp_path / "tiny.md").read_text()


_TINY_KEEL = [
    *("benchmark", "--suite", "keel", "--datasets", "glass4"),
    *("--samplers", "none", "ros", "smote", "--classifiers", "lr", "dt"),
    *("--repeats", "1", "--n-splits", "2", "--name", "tiny", "--out"),
]


def _skgan(out):
    command = [sys.executable, "-m", "skgan", *_TINY_KEEL, str(out)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)


def test_run_killed_at_a_random_moment_resumes_to_the_same_results(tmp_path):
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    assert _skgan(whole).wait() == 0
    process = _skgan(killed)
    # Killed while it writes cells, the moment the resumed run must survive.
    while not (killed / "cache").exists() and process.poll() is None:
        time.sleep(0.01)
    delay = random.uniform(0, 1.5)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert _skgan(killed).wait() == 0
    expected, resumed = (
        pd.read_csv(out / "tiny_scores.csv").drop(columns="fit_time")
        for out in (whole, killed)
    )
    pd.testing.assert_frame_equal(resumed, expected, obj=f"killed after {delay} s")
    assert (killed / "tiny_fidelity.csv").read_text() == (
        whole / "tiny_fidelity.csv"
    ).read_text()


@pytest.mark.parametrize(
    "options, message",
    [
        (["--datasets", "glas4"], "Unknown KEEL dataset"),
        (["--repeats", "0"], "`repeats` must be an integer >= 1, got 0."),
        (["--out", "{file}/results"], "cannot create the output folder"),
        (["--restore-from", "{tmp}/missing_scores.csv"], "No such file"),
    ],
)
def test_cli_bad_input_is_one_line_without_traceback(
    options, message, tmp_path, capsys
):
    (tmp_path / "file").write_text("")
    fill = {"file": tmp_path / "file", "tmp": tmp_path}
    argv = ["benchmark", "--datasets", "glass4", "--samplers", "none"]
    argv += ["--out", str(tmp_path / "out")]
    argv += [option.format(**fill) for option in options]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("skgan: error: ") and message in line
