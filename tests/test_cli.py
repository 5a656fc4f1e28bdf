import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from skgan.cli import build_parser, demo, main

pytestmark = pytest.mark.usefixtures("one_blas_thread")


@pytest.mark.parametrize(
    "argv", [[], ["benchmark"], ["demo"], ["resample"], ["report"]]
)
def test_help_imports_no_heavy_module(argv):
    code = (
        "import sys\n"
        "from skgan.cli import main\n"
        "try:\n"
        f"    main({[*argv, '--help']!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'torch', 'sklearn', 'pandas', 'imblearn'} & set(sys.modules)\n"
        "print(sorted(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "usage: skgan" in result.stdout
    assert result.stdout.strip().endswith("[]")


def _options(help_text):
    """Option name -> its help text, from argparse's help output."""
    entries = re.split(r"\n  (?=-)", help_text.split("options:")[1])
    return {
        entry.split()[0].rstrip(","): " ".join(entry.split()[1:])
        for entry in entries
        if entry.strip()
    }


@pytest.mark.parametrize("command", ["benchmark", "demo", "resample", "report"])
def test_every_option_says_what_it_does_and_its_default(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = capsys.readouterr().out
    assert "(default: None)" not in text
    options = _options(text)
    assert len(options) > 3
    for option, help_text in options.items():
        if option != "-h":
            assert "(default: " in help_text or "(required)" in help_text, option


def test_benchmark_prints_the_files_it_wrote(tmp_path, capsys):
    argv = [
        "benchmark",
        "--datasets",
        "glass4",
        "--samplers",
        "none",
        "ros",
        "--classifiers",
        "lr",
        "--repeats",
        "1",
        "--n-splits",
        "2",
        "--out",
        str(tmp_path),
        "--name",
        "tiny",
    ]
    assert main(argv) == 0
    printed = capsys.readouterr().out.splitlines()
    written = [line.strip() for line in printed[printed.index("wrote:") + 1 :]]
    assert {name.rsplit("/", 1)[-1] for name in written} == {
        "tiny.md",
        "tiny_scores.csv",
        "tiny_summary.csv",
        "tiny_fidelity.csv",
        "tiny_ranks.csv",
        "tiny_ranks.png",
    }
    assert all((tmp_path / name).is_file() for name in map(str, written))


def test_demo_options_reach_the_demo():
    argv = ["demo", "--digit", "3", "--minority", "12", "--n-splits", "3"]
    args = build_parser().parse_args(argv)
    assert (args.digit, args.minority, args.n_splits, args.random_state) == (
        3,
        12,
        3,
        0,
    )


def test_demo_shows_imbalance_hurting_the_unresampled_classifier():
    table = demo(minority=12, n_splits=2)
    assert list(table.index) == ["no resampling", "SMOTE", "GANOversampler"]
    means = table.xs("mean", axis=1, level=1)
    assert list(means.columns) == ["balanced accuracy", "minority F1", "G-mean"]
    assert ((means >= 0) & (means <= 1)).all().all()
    # An RBF SVC trained on 6 rows of a digit against ~810 never predicts it.
    assert means.loc["no resampling", "minority F1"] == 0
    for sampler in ("SMOTE", "GANOversampler"):
        assert (means.loc[sampler] > means.loc["no resampling"]).all()


def test_demo_prints_the_table_and_the_computed_winners(monkeypatch, capsys):
    metrics = ["balanced accuracy", "minority F1", "G-mean"]
    columns = pd.MultiIndex.from_product([metrics, ["mean", "std"]])
    table = pd.DataFrame(
        [
            [0.5, 0, 0.1, 0, 0.9, 0],
            [0.8, 0.1, 0.6, 0.2, 0.7, 0.1],
            [0.8, 0, 0.7, 0, 0.2, 0],
        ],
        index=["no resampling", "SMOTE", "GANOversampler"],
        columns=columns,
    )
    monkeypatch.setattr("skgan.cli.demo", lambda *args: table)
    assert main(["demo"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "SMOTE              0.800 ± 0.100  0.600 ± 0.200  0.700 ± 0.100" in out
    assert out[-1] == (
        "best: balanced accuracy: SMOTE and GANOversampler; "
        "minority F1: GANOversampler; G-mean: no resampling"
    )


def test_demo_refuses_too_few_minority_rows():
    with pytest.raises(ValueError, match="minority=6 is too few rows for 5 folds"):
        demo(minority=6)


def _table(n_major=48, n_minor=12, seed=0):
    """A small mixed table: float, int, text and bool features, text labels."""
    rng = np.random.default_rng(seed)
    n = n_major + n_minor
    return pd.DataFrame(
        {
            "income": rng.normal(50.0, 10.0, n).round(2),
            "label": ["stay"] * n_major + ["leave"] * n_minor,
            "children": rng.integers(0, 4, n),
            "city": rng.choice(["Lyon", "Porto", "Graz"], n),
            "owner": rng.random(n) < 0.3,
        }
    )


FAST = ["--epochs", "2", "--random-state", "0"]


def test_resample_keeps_columns_and_dtypes_of_a_csv(tmp_path, capsys):
    source, out, report = tmp_path / "in.csv", tmp_path / "out.csv", tmp_path / "r.html"
    _table().to_csv(source, index=False)
    argv = ["resample", str(source), "--target", "label", "-o", str(out), *FAST]
    assert main([*argv, "--report", str(report)]) == 0
    real, resampled = pd.read_csv(source), pd.read_csv(out)
    assert list(resampled.columns) == list(real.columns)
    assert (resampled.dtypes == real.dtypes).all()
    pd.testing.assert_frame_equal(resampled.iloc[:60], real)
    synthetic = resampled.iloc[60:]
    assert (synthetic["label"] == "leave").all() and len(synthetic) == 36
    assert set(synthetic["city"]) <= {"Lyon", "Porto", "Graz"}
    printed = capsys.readouterr().out
    assert f"wrote {out}: 60 input rows and 36 synthetic rows" in printed
    assert report.read_text(encoding="utf-8").count("<h2>Class leave</h2>") == 1


def test_resample_reads_and_writes_parquet_with_categories(tmp_path):
    source, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    table = _table().astype({"city": "category"})
    table.to_parquet(source, index=False)
    argv = ["resample", str(source), "--target", "label", "-o", str(out), *FAST]
    assert main([*argv, "--categorical", "children"]) == 0
    resampled = pd.read_parquet(out)
    assert (resampled.dtypes == pd.read_parquet(source).dtypes).all()
    assert len(resampled) == 96
    assert set(resampled["children"]) <= set(table["children"])


def test_crossover_reaches_the_sampler(tmp_path):
    rng = np.random.default_rng(0)
    table = pd.DataFrame(rng.integers(0, 2, (160, 16))).add_prefix("flag")
    table["label"] = np.repeat(["stay", "leave"], [130, 30])
    source = tmp_path / "in.csv"
    table.to_csv(source, index=False)
    synthetic = {}
    for flag in ([], ["--no-crossover"]):
        out = tmp_path / f"out{len(flag)}.csv"
        argv = ["resample", str(source), "--target", "label", "-o", str(out)]
        assert main([*argv, "--epochs", "0", "--random-state", "0", *flag]) == 0
        synthetic[not flag] = pd.read_csv(out).iloc[160:]
        assert synthetic[not flag].drop(columns="label").isin([0, 1]).all().all()
    # Untrained, without crossover each row's flags all come from one real
    # row; with it, from either of two: other rows from the same seed.
    assert not synthetic[True].equals(synthetic[False])


def test_k_neighbors_reaches_the_sampler(tmp_path):
    # Pairs of close rows far apart: each row's one nearest neighbour is its
    # partner, so with one neighbour no synthetic value leaves a pair's span.
    table = pd.DataFrame({"x": np.repeat(np.arange(0, 100, 10), 2) + [0, 0.5] * 10})
    table = pd.concat([table.assign(label="rare"), table.assign(x=-table.x)])
    table["label"] = table["label"].fillna("common")
    table = pd.concat([table, table[table.label == "common"]])
    source = tmp_path / "in.csv"
    table.to_csv(source, index=False)
    outside = {}
    for k in (1, 5):
        out = tmp_path / f"out{k}.csv"
        argv = ["resample", str(source), "--target", "label", "-o", str(out)]
        assert main([*argv, "--epochs", "0", "--k-neighbors", str(k)]) == 0
        new = pd.read_csv(out).iloc[len(table) :]
        assert (new.label == "rare").all() and len(new) == 20
        outside[k] = (new.x % 10 > 0.5).sum()
    assert outside[1] == 0 and outside[5] > 0


def test_sampling_strategy_takes_imblearn_strings_and_floats(tmp_path):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    _table().to_csv(source, index=False)
    argv = ["resample", str(source), "--target", "label", "-o", str(out), *FAST]
    assert main([*argv, "--sampling-strategy", "0.5"]) == 0
    assert pd.read_csv(out)["label"].value_counts()["leave"] == 24
    parser = build_parser()
    for strategy in ("auto", "minority", "not majority", "all"):
        args = parser.parse_args([*argv, "--sampling-strategy", strategy])
        assert args.sampling_strategy == strategy


def _bad_inputs(tmp_path):
    """Argument lists of ``skgan resample`` that must fail, and their message."""
    good = tmp_path / "good.csv"
    _table().to_csv(good, index=False)
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "binary.csv").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "data.txt").write_text("a,b\n1,2\n")
    _table().assign(label="stay").to_csv(tmp_path / "one.csv", index=False)
    out = str(tmp_path / "out.csv")
    return {
        "missing file": ([str(tmp_path / "nope.csv"), "-o", out], "does not exist"),
        "empty file": ([str(tmp_path / "empty.csv"), "-o", out], "is empty"),
        "not a CSV": ([str(tmp_path / "binary.csv"), "-o", out], "cannot read"),
        "unknown input extension": ([str(tmp_path / "data.txt"), "-o", out], "'.txt'"),
        "unknown output extension": (
            [str(good), "-o", str(tmp_path / "o.xlsx")],
            "'.xlsx'",
        ),
        "no such output folder": (
            [str(good), "-o", str(tmp_path / "nowhere" / "out.csv")],
            "does not exist",
        ),
        "output is a folder": (
            [str(good), "-o", str(tmp_path / "x.csv")],
            "is a folder",
        ),
        "one class": ([str(tmp_path / "one.csv"), "-o", out], "one class"),
        "no neighbours": ([str(good), "-o", out, "--k-neighbors", "0"], "k_neighbors"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing file",
        "empty file",
        "not a CSV",
        "unknown input extension",
        "unknown output extension",
        "no such output folder",
        "output is a folder",
        "one class",
        "no neighbours",
    ],
)
def test_bad_input_is_one_line_on_stderr(case, tmp_path, capsys):
    (tmp_path / "x.csv").mkdir()
    argv, message = _bad_inputs(tmp_path)[case]
    assert main(["resample", *argv, "--target", "label", *FAST]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("skgan: error: ") and message in lines[0]
    assert not list(tmp_path.glob("out.*"))


def test_missing_target_column_names_the_columns(tmp_path, capsys):
    source = tmp_path / "in.csv"
    _table().to_csv(source, index=False)
    argv = ["resample", str(source), "--target", "y", "-o", str(tmp_path / "o.csv")]
    assert main(argv) == 1
    error = capsys.readouterr().err
    assert error == (
        f"skgan: error: target column 'y' is not in {source} "
        "(columns: income, label, children, city, owner)\n"
    )


def test_missing_pyarrow_is_named(tmp_path, capsys, monkeypatch):
    def no_engine(*args, **kwargs):
        raise ImportError("Unable to find a usable engine")

    source = tmp_path / "in.parquet"
    _table().to_parquet(source)
    monkeypatch.setattr(pd, "read_parquet", no_engine)
    argv = ["resample", str(source), "--target", "label", "-o", str(tmp_path / "o.csv")]
    assert main(argv) == 1
    assert "needs pyarrow: pip install pyarrow" in capsys.readouterr().err


def test_report_compares_only_the_rows_resample_appended(tmp_path, capsys):
    source, out, page = tmp_path / "in.csv", tmp_path / "out.csv", tmp_path / "r.html"
    _table().to_csv(source, index=False)
    main(["resample", str(source), "--target", "label", "-o", str(out), *FAST])
    argv = ["report", str(source), str(out), "--target", "label", "-o", str(page)]
    assert main(argv) == 0
    assert "reporting on the 36 rows after them" in capsys.readouterr().out
    assert "<p>12 real rows, 36 synthetic rows.</p>" in page.read_text(encoding="utf-8")


def test_python_dash_m_skgan_resamples_a_csv(tmp_path):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    _table().to_csv(source, index=False)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "skgan",
            "resample",
            str(source),
            "--target",
            "label",
            "--output",
            str(out),
            *FAST,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "36 synthetic rows" in result.stdout
    assert len(pd.read_csv(out)) == 96


def test_diverging_training_is_one_line_on_stderr(tmp_path, capsys, monkeypatch):
    import skgan._train

    def always_diverged(total, epoch):
        raise skgan._train._Diverged(f"training diverged in epoch {epoch}")

    monkeypatch.setattr(skgan._train, "_check_finite", always_diverged)
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    _table().to_csv(source, index=False)
    argv = ["resample", str(source), "--target", "label", "-o", str(out), *FAST]
    with pytest.warns(RuntimeWarning):
        assert main(argv) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "Lower learning_rate" in lines[0]
    assert not out.exists()
