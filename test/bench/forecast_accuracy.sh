#!/bin/sh
# forecast_accuracy.sh - accuracy and speed of the forecasting core (fc_fit:
# default tier for daily data and the full holdout tier, auto_full:
# ETS / Theta / Prophet-style / Croston / SBA / TSB with automatic choice)
# against published M4 figures and R's forecast::ets, croston and prophet run
# side by side.  Prints tables with our figure, the peer's and the ratio.
#
#   test/bench/forecast_accuracy.sh [m4] [carparts] [daily] [dailycov] [peers]  (default: all)
#
# FC_BENCH_SERIES sets the number of generated daily series (default 30);
# peers (M1, Tourism, M4 Weekly beside R ets, thetaf, auto.arima) runs a
# subset of FC_BENCH_PEERS (60) series per data set and frequency, or all
# with FC_BENCH_ALL=1.
# Copyright (C) doliflow contributors.  GPL-3.0-or-later.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data=${DOLIFLOW_SHARED:-$root/../shared}/data
[ -d "$data" ] || data=/work/shared/data
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fc_bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

command -v gsl-config >/dev/null || { echo "libgsl-dev missing" >&2; exit 1; }
command -v Rscript >/dev/null || { echo "Rscript missing (r-cran-forecast, r-cran-prophet)" >&2; exit 1; }
cores=$(ls "$root"/src/*.c | grep -v -e '/pg_[^/]*\.c$' -e '/doliflow\.c$')
${CC:-gcc} -std=gnu99 -O2 -Wall -Wextra -I"$root/src" "$here/fc_cli.c" $cores \
	$(gsl-config --cflags --libs) -lm -o "$tmp/fc_cli"
${CC:-gcc} -std=gnu99 -O2 -Wall -Wextra -I"$root/src" "$here/ets_speed.c" $cores \
	$(gsl-config --cflags --libs) -lm -o "$tmp/ets_speed"
echo "ETS automatic fit speed (C core alone; R's ets takes about 0.65 s on such a series, measured below):"
"$tmp/ets_speed" 20
python3 "$here/forecast_accuracy.py" "$tmp/fc_cli" "$data" "$tmp/work" "$@"
