#!/usr/bin/env bash
# test/generator/load.sh: generate a Dolibarr BTP database and load it into MariaDB.
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   load.sh --socket SOCK|--port P [--host H] [--user U] [--password PW] --db NAME
#           --scale small|medium|large --seed N [--end-date YYYY-MM-DD] [--keep DIR]
#
# Builds doliflow-gen if needed, generates into a temporary directory (or DIR with --keep),
# drops and recreates database NAME (utf8mb4) from test/fixtures/dolibarr.sql, loads the
# TSV files with LOAD DATA LOCAL INFILE, drops and recreates NAME_truth with the ground-truth
# tables, and prints the row count of every table.  Re-runnable.  The password can also come
# from MYSQL_PWD in the environment (it is never put on a command line here).  With an end date
# of today or later, no time is written later than the server's clock (doliflow-gen
# --as-of): the data stops now instead of carrying times that an extract holds back.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

SOCK="" PORT="" HOST=127.0.0.1 USER_="" DB="" SCALE="" SEED="" END="" KEEP=""
while [ $# -gt 0 ]; do
	case $1 in
		--socket) SOCK=$2; shift 2 ;;
		--port) PORT=$2; shift 2 ;;
		--host) HOST=$2; shift 2 ;;
		--user) USER_=$2; shift 2 ;;
		--password) export MYSQL_PWD=$2; shift 2 ;;
		--db) DB=$2; shift 2 ;;
		--scale) SCALE=$2; shift 2 ;;
		--seed) SEED=$2; shift 2 ;;
		--end-date) END=$2; shift 2 ;;
		--keep) KEEP=$2; shift 2 ;;
		-h|--help) sed -n '2,14p' "$0"; exit 0 ;;
		*) echo "load.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done
[ -n "$DB" ] && [ -n "$SCALE" ] && [ -n "$SEED" ] || { echo "load.sh: --db, --scale and --seed are required" >&2; exit 2; }
[ -n "$SOCK" ] || [ -n "$PORT" ] || { echo "load.sh: --socket or --port is required" >&2; exit 2; }
case $DB in *[!A-Za-z0-9_]*) echo "load.sh: bad database name $DB" >&2; exit 2 ;; esac

CONN=(--no-defaults --default-character-set=utf8mb4 --local-infile=1)
if [ -n "$SOCK" ]; then CONN+=(-S "$SOCK"); else CONN+=(-h "$HOST" -P "$PORT" --protocol=TCP); fi
[ -n "$USER_" ] && CONN+=(-u "$USER_")
my() { mariadb "${CONN[@]}" "$@"; }

make -s -C "$HERE" doliflow-gen >&2

if [ -n "$KEEP" ]; then
	OUT=$KEEP
	mkdir -p "$OUT"
else
	OUT=$(mktemp -d "${TMPDIR:-/tmp}/doliflow-gen.XXXXXX")
	trap 'rm -rf "$OUT"' EXIT
fi
# Data that reaches today stops at the server's clock (in the zone LOAD DATA reads
# times in), a little in the past; data of a past end date is left as generated.
case $END in *[!0-9-]*) echo "load.sh: bad --end-date $END" >&2; exit 2 ;; esac
AS_OF=""
if [ -n "$END" ]; then
	AS_OF=$(my -N -B -e "SELECT IF('$END' >= CURDATE(), DATE_FORMAT(NOW() - INTERVAL 2 SECOND, '%Y-%m-%d %H:%i:%s'), '')")
fi
t0=$(date +%s.%N)
"$HERE/doliflow-gen" --seed "$SEED" --scale "$SCALE" --out "$OUT" ${END:+--end-date "$END"} ${AS_OF:+--as-of "$AS_OF"} >"$OUT/counts.txt"
t1=$(date +%s.%N)

my -e "DROP DATABASE IF EXISTS \`$DB\`; CREATE DATABASE \`$DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
DROP DATABASE IF EXISTS \`${DB}_truth\`; CREATE DATABASE \`${DB}_truth\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
my "$DB" <"$ROOT/test/fixtures/dolibarr.sql"
# load.sql and truth.sql name their files relative to the output directory
(cd "$OUT" && my "$DB" <load.sql && my "${DB}_truth" <truth.sql)
t2=$(date +%s.%N)

for t in $(awk '{print $1}' "$OUT/counts.txt"); do
	case $t in truth_*) s="${DB}_truth" ;; *) s=$DB ;; esac
	printf '%-36s %10s\n' "$s.$t" "$(my -N -B "$s" -e "SELECT COUNT(*) FROM \`$t\`")"
done
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "generated in %.2f s, loaded in %.2f s\n", b - a, c - b }'
