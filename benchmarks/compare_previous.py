"""The previous defaults against the current ones, on the same folds.

Reads the published suite scores (``results/keel_scores.csv``,
``results/mixed_scores.csv``) and the previous defaults' scores
(``results/previous/``), replaces the GAN of the current run by the previous
one, and ranks each set of samplers alike: on all KEEL tables, on the 12
smallest, and on the mixed tables. Fidelity of the synthetic rows and fit
times are set side by side too.

Usage, after ``run_suites.sh``::

    python benchmarks/compare_previous.py

writes ``benchmarks/results/previous_vs_current.md``.
"""

import shlex
import sys
from pathlib import Path

import pandas as pd

from skgan.benchmark import METRICS, rank_table
from skgan.report import markdown_table, provenance

RESULTS = Path(__file__).parent / "results"
# The 12 smallest KEEL tables, by rows.
SMALLEST = (
    "cleveland-0_vs_4",
    "glass4",
    "glass1",
    "hepatitis",
    "haberman",
    "ecoli1",
    "ecoli4",
    "ionosphere",
    "page-blocks-1-3_vs_4",
    "wisconsin",
    "abalone9_18",
    "pima",
)


def overall_rank(scores, datasets=None):
    """Overall mean rank of each sampler, and its mean rank per classifier."""
    if datasets is not None:
        scores = scores[scores["dataset"].isin(datasets)]
    keys = ["dataset", "classifier", "sampler"]
    means = scores.groupby(keys, sort=False)[list(METRICS)].mean().reset_index()
    ranks = rank_table(means)
    table = ranks.groupby(level="classifier", sort=False).mean().T
    table.insert(0, "overall", ranks.mean())
    return table.rename_axis("sampler")


def side_by_side(suite, datasets=None):
    """Ranks with the current GAN, and with the previous one in its place."""
    current = pd.read_csv(RESULTS / f"{suite}_scores.csv")
    previous = pd.read_csv(RESULTS / "previous" / f"{suite}_scores.csv")
    previous = previous[previous["sampler"] == "gan"]
    others = current[(current["sampler"] != "gan") & current["sampler"].ne("ctgan")]
    rows = {}
    for label, gan in (("current", current), ("previous", previous)):
        gan = gan[gan["sampler"] == "gan"]
        ranks = overall_rank(pd.concat([others, gan]), datasets)
        rows[f"GAN, {label} defaults"] = ranks.loc["gan"]
        rows[f"SMOTE, beside the {label} GAN"] = ranks.loc["smote"]
    return pd.DataFrame(rows).T.rename_axis("sampler")


def fidelity(suite):
    """Mean fidelity and median fit time of the GAN, previous and current."""
    rows = {}
    for label, folder in (("current", RESULTS), ("previous", RESULTS / "previous")):
        fid = pd.read_csv(folder / f"{suite}_fidelity.csv")
        fid = fid[(fid["sampler"] == "gan") & (fid["n_synthetic"] > 0)]
        scores = pd.read_csv(folder / f"{suite}_scores.csv")
        fits = scores[scores["sampler"] == "gan"].drop_duplicates(
            ["dataset", "repeat", "fold"]
        )
        rows[f"GAN, {label} defaults"] = {
            "C2ST AUC": fid["c2st_auc"].mean(),
            "DCR ratio": fid["dcr_ratio"].mean(),
            "exact copies": fid["exact_copy_rate"].mean(),
            "correlation distance": fid["correlation_distance"].mean(),
            "median fit s": fits["fit_time"].median(),
        }
    return pd.DataFrame(rows).T.rename_axis("sampler")


def main():
    command = shlex.join(["python", "benchmarks/compare_previous.py", *sys.argv[1:]])
    lines = [
        "# Previous defaults against the current ones",
        "",
        *provenance(command),
        "",
        "Mean rank (1 = best) over datasets, 5 classifiers x 4 metrics, among "
        "none, ROS, SMOTE(NC), Borderline-SMOTE and ADASYN (KEEL; the mixed "
        "suite has none, ROS and SMOTENC) and one GAN: the current defaults "
        "or, in their place, the previous ones, on the same folds and seeds. "
        "`overall` averages every classifier and metric.",
        "",
    ]
    for title, suite, datasets in (
        ("KEEL, 25 tables", "keel", None),
        ("KEEL, the 12 smallest tables", "keel", SMALLEST),
        ("Mixed-type tables", "mixed", None),
    ):
        lines += [f"## {title}", "", markdown_table(side_by_side(suite, datasets)), ""]
    for suite in ("keel", "mixed"):
        lines += [
            f"## Fidelity and fit time, {suite}",
            "",
            "Synthetic minority rows against the training fold's real rows: "
            "C2ST AUC (0.5 = indistinguishable), DCR ratio (distance to the "
            "closest real row over real rows' own spacing), exact-copy rate, "
            "correlation-matrix distance; fit time of the sampler per fold.",
            "",
            markdown_table(fidelity(suite)),
            "",
        ]
    out = RESULTS / "previous_vs_current.md"
    out.write_text("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
