#!/bin/sh
# prophet_vs_r.sh - doliflow's Prophet-style core against R's prophet
# (Debian r-cran-prophet) on generated daily demand series.
#
#   test/bench/prophet_vs_r.sh [N_SERIES [SEED [MODE]]]     (defaults 50 1 log1p)
#
# Generates N deterministic 3-year (+28 days) daily demand series (trend with
# changepoints, weekly and yearly seasonality, French public holidays,
# promotions, negative-binomial noise), holds out the last 28 days, fits ours
# (C, via test/bench/prophet_bench) and R's prophet (Rscript, one fit per
# series, library load excluded from the timing) with the same information
# (holiday indicator and promo regressor), and prints per-series and overall
# MASE / WAPE / seconds with ratios.  Ours is timed as the mean of 50 repeated
# fit+forecast calls per series.  Runs one after the other, never in parallel.
# Copyright (C) doliflow contributors.  GPL-3.0-or-later.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-50}
seed=${2:-1}
mode=${3:-log1p}
H=28
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prophet_bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

command -v gsl-config >/dev/null || { echo "libgsl-dev missing" >&2; exit 1; }
command -v Rscript >/dev/null || { echo "Rscript missing (r-cran-prophet)" >&2; exit 1; }

cc=${CC:-gcc}
$cc -O2 -Wall -Wextra -I"$root/src" "$here/prophet_bench.c" "$root"/src/prophet*.c \
	$(gsl-config --cflags --libs) -lm -o "$tmp/prophet_bench"

"$tmp/prophet_bench" gen "$n" "$seed" > "$tmp/data.csv"
echo "# $n series x $(($(wc -l < "$tmp/data.csv") / n)) days, seed $seed, horizon $H, ours in $mode mode"
"$tmp/prophet_bench" fit "$tmp/data.csv" $H "$mode" 50 > "$tmp/ours.csv"
echo "# R prophet: fitting $n series (about 1 s each)..."
Rscript "$here/prophet_r.R" "$tmp/data.csv" $H > "$tmp/r.csv" 2> "$tmp/r.err" || {
	cat "$tmp/r.err" >&2
	exit 1
}
"$tmp/prophet_bench" score "$tmp/data.csv" $H "$tmp/ours.csv" "$tmp/r.csv"
