import re
import subprocess
import sys

import pytest

from skgan.cli import build_parser, main

pytestmark = pytest.mark.usefixtures("one_blas_thread")


@pytest.mark.parametrize("argv", [[], ["benchmark"], ["demo"]])
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


@pytest.mark.parametrize("command", ["benchmark", "demo"])
def test_every_option_says_what_it_does_and_its_default(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = capsys.readouterr().out
    assert "(default: None)" not in text
    options = _options(text)
    assert len(options) > 3
    for option, help_text in options.items():
        if option != "-h":
            assert "(default: " in help_text, option


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
    args = build_parser().parse_args(["demo", "--minority", "12", "--n-splits", "3"])
    assert (args.minority, args.n_splits, args.random_state) == (12, 3, 0)
