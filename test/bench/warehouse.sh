#!/usr/bin/env bash
# test/bench/warehouse.sh: warehouse load times at the `large` scale.
#   full load (first load and full_rebuild => true) and incremental loads after 1% and then
#   0.1% of the source rows changed (updates, inserts and deletes over the tables the
#   warehouse reads): the incremental cost should follow the size of the change.
# Run by test/bench/run (`make bench`), or standalone: it then starts its own throwaway
# PostgreSQL and MariaDB with test/lib.sh and stops them at the end.
#
#   test/bench/warehouse.sh [--scale small|medium|large] [--seed N] [--repeat N]
# --repeat N runs the pair of incremental rounds (1% then 0.1%) N times, each round on
# other rows, and prints every round (the first extract and load run once; the full
# rebuild runs before and after the rounds).  Each night is extract + load +
# run_analytics(), each timed, then a timed VACUUM (ANALYZE): the figures are printed
# without VACUUM on both sides and with it on both sides.
set -u
cd "$(dirname "$0")/../.." || exit 1
. test/lib.sh
SCALE=large SEED=7 REPEAT=1
while [ $# -gt 0 ]; do
	case $1 in
		--scale) SCALE=$2; shift 2 ;;
		--seed) SEED=$2; shift 2 ;;
		--repeat) REPEAT=$2; shift 2 ;;
		*) df_die "unknown option $1" ;;
	esac
done

OWN=""
if [ -z "${PGPORT:-}" ] || [ -z "${MYSQL_PORT:-}" ]; then
	cleanup() { trap - EXIT INT TERM HUP; [ -n "$OWN" ] && { df_pg_stop "$OWN/pg"; df_my_stop "$OWN/mysql"; rm -rf "$OWN"; }; }
	trap cleanup EXIT; trap 'exit 130' INT TERM HUP
	df_install_packages
	OWN=$(df_run_dir)
	df_make_pgroot "$OWN/root"
	df_install_private "$OWN/root" || df_die "install failed"
	df_start_servers "$OWN" "$OWN/root/usr/lib/postgresql/$DF_PG_MAJOR/bin" || df_die "servers did not start"
	df_export_env "$OWN"
fi

SRC=bench_wh_src DB=bench_wh
my() { mariadb --no-defaults -h "$MYSQL_HOST" -P "$MYSQL_PORT" -u "$MYSQL_USER" -p"$MYSQL_PWD" "$@"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

t0=$(now)
test/generator/load.sh --host "$MYSQL_HOST" --port "$MYSQL_PORT" --user "$MYSQL_USER" \
	--db "$SRC" --scale "$SCALE" --seed "$SEED" >/dev/null || df_die "generator failed"
how="generator --scale $SCALE --seed $SEED"
gen_s=$(since "$t0")
rows=$(myq "$SRC" "SELECT (SELECT count(*) FROM llx_ticket) + (SELECT count(*) FROM llx_stock_mouvement) + (SELECT count(*) FROM llx_facturedet)
	+ (SELECT count(*) FROM llx_facture) + (SELECT count(*) FROM llx_societe) + (SELECT count(*) FROM llx_fichinter)
	+ (SELECT count(*) FROM llx_element_element) + (SELECT count(*) FROM llx_ticket_extrafields) + (SELECT count(*) FROM llx_element_time)")

df_new_pgdb "$DB" && df_connect "$DB" "$SRC" || df_die "connect failed"
t0=$(now); q "$DB" "CALL doliflow.extract()" >/dev/null 2>&1 || df_die "extract failed"; ext1=$(since "$t0")
# The three costliest steps of the last run of a kind, with their share of the run.
top3() {	# top3 KIND PREFIX
	q "$DB" "SELECT string_agg(format('%s %ss (%s%%)', replace(step, '$2', ''), round(d::numeric, 2), round((100 * d / nullif(tot, 0))::numeric, 1)), ', ' ORDER BY d DESC)
		FROM (SELECT step, d, tot FROM (SELECT step, extract(epoch FROM finished_at - started_at) AS d,
						 sum(extract(epoch FROM finished_at - started_at)) OVER () AS tot
					FROM doliflow.run_step WHERE run_id = (SELECT max(run_id) FROM doliflow.run_log WHERE kind = '$1')) x
			   ORDER BY d DESC LIMIT 3) y"
}
ext1top=$(top3 extract extract:)
lastrun() { q "$DB" "SELECT max(run_id) FROM doliflow.run_log WHERE kind = '$1'"; }
ext1run=$(lastrun extract)
t0=$(now); q "$DB" "CALL doliflow.load_warehouse()" >/dev/null 2>&1 || df_die "first load failed"; full1=$(since "$t0")
load1top=$(top3 load_warehouse load:)
t0=$(now); q "$DB" "CALL doliflow.run_analytics()" >/dev/null 2>&1 || df_die "analytics failed"; ana1=$(since "$t0")
t0=$(now); q "$DB" "CALL doliflow.load_warehouse(full_rebuild => true)" >/dev/null 2>&1 || df_die "full rebuild failed"; full2=$(since "$t0")
full2run=$(lastrun load_warehouse)
# The rebuild left millions of dead rows: vacuum now, as autovacuum would have done long
# before the next night, so that the incremental rounds do not time autovacuum's catch-up.
# Timed: the figures "with VACUUM" add it to the rebuild, and the VACUUM after each
# incremental night to that night.
t0=$(now); q "$DB" "VACUUM (ANALYZE)" >/dev/null 2>&1 || df_die "vacuum failed"; vac=$(since "$t0")

# A fraction 1/N of the rows change (updates, inserts and deletes), rows picked by
# rowid % N = R + offset so that every round changes other rows.
change() {
	local n=$1 r=$2 h=$(( $1 * 2 ))
	myq "$SRC" "
SET foreign_key_checks = 0;
UPDATE llx_ticket SET fk_statut = 8, date_close = COALESCE(date_close, datec + INTERVAL 20 HOUR) WHERE rowid % $n = $r;
UPDATE llx_ticket_extrafields SET satisfaction = 1 + (rowid % 5) WHERE rowid % $n = $r + 4;
UPDATE llx_fichinter SET duree = duree + 900 WHERE rowid % $n = $r + 6;
UPDATE llx_societe SET town = CONCAT(COALESCE(town, ''), ' (bench)') WHERE rowid % $n = $r + 10;
UPDATE llx_facture SET fk_statut = 2 WHERE rowid % $n = $r + 12;
UPDATE llx_facturedet SET qty = qty + 1 WHERE rowid % $n = $r + 16;
UPDATE llx_element_time SET element_duration = element_duration + 1800 WHERE rowid % $n = $r + 22;
DELETE FROM llx_element_element WHERE rowid % $h = $r + 24;
DELETE FROM llx_stock_mouvement WHERE rowid % $h = $r + 30;
INSERT INTO llx_stock_mouvement (datem, fk_product, fk_entrepot, value, price, type_mouvement, label, fk_projet)
SELECT NOW() - INTERVAL (rowid % 30) DAY, fk_product, fk_entrepot, -1, price, 2, 'bench', 0
  FROM llx_stock_mouvement WHERE rowid % $h = $r + 34;
" || df_die "source changes failed"
	sleep 2
}
# Per table (extract) or step (load) of the last run of a kind, the three costliest, each
# with its share of the same table's or step's time in run REF (the first extract, the
# full rebuild).
vs3() {	# vs3 KIND PREFIX REF
	q "$DB" "SELECT string_agg(format('%s %ss (%s%% of its %ss)', replace(a.step, '$2', ''), round(a.d::numeric, 2),
			coalesce(round((100 * a.d / nullif(b.d, 0))::numeric, 1)::text, '-'), round(b.d::numeric, 2)), ', ' ORDER BY a.d DESC)
		FROM (SELECT step, extract(epoch FROM finished_at - started_at) AS d FROM doliflow.run_step
			   WHERE run_id = (SELECT max(run_id) FROM doliflow.run_log WHERE kind = '$1') ORDER BY 2 DESC LIMIT 3) a
		LEFT JOIN (SELECT step, extract(epoch FROM finished_at - started_at) AS d FROM doliflow.run_step WHERE run_id = $3) b USING (step)"
}
# incremental N R: change 1/N of the rows, extract, load, analytics, VACUUM; sets ext, inc,
# ana, vinc, chg, steps, extvs, loadvs.
incremental() {
	change "$1" "$2"
	t0=$(now); q "$DB" "CALL doliflow.extract()" >/dev/null 2>&1 || df_die "extract failed"; ext=$(since "$t0")
	extvs=$(vs3 extract extract: "$ext1run")
	t0=$(now); q "$DB" "CALL doliflow.load_warehouse()" >/dev/null 2>&1 || df_die "incremental load failed"; inc=$(since "$t0")
	loadvs=$(vs3 load_warehouse load: "$full2run")
	t0=$(now); q "$DB" "CALL doliflow.run_analytics()" >/dev/null 2>&1 || df_die "analytics failed"; ana=$(since "$t0")
	t0=$(now); q "$DB" "VACUUM (ANALYZE)" >/dev/null 2>&1 || df_die "vacuum failed"; vinc=$(since "$t0")
	mode=$(q "$DB" "SELECT string_agg(DISTINCT mode, ',') FROM dw.load_state")
	[ "$mode" = incremental ] || df_die "the load was not incremental ($mode)"
	chg=$(q "$DB" "SELECT sum(rows_changed) FROM dw.load_state WHERE target <> 'dim_date'")
	# The time of the load outside its steps (reading what changed in the lake before the
	# first step, the commit) is printed as "outside the steps".
	steps=$(q "$DB" "SELECT string_agg(format('%s %s', replace(step, 'load:', ''), round(extract(epoch FROM finished_at - started_at)::numeric, 2)), ', ' ORDER BY step_id)
			|| format(', outside the steps %s', round($inc - sum(extract(epoch FROM finished_at - started_at))::numeric, 2))
		FROM doliflow.run_step WHERE run_id = (SELECT max(run_id) FROM doliflow.run_log WHERE kind = 'load_warehouse')")
}
rounds=()
for i in $(seq 1 "$REPEAT"); do
	incremental 100 $(( (7 + 3 * (i - 1)) % 50 ));  ext1pc=$ext inc1pc=$inc chg1pc=$chg steps1pc=$steps; ext1pctop=$(top3 extract extract:)
	ana1pc=$ana vac1pc=$vinc ext1pcvs=$extvs load1pcvs=$loadvs
	rounds+=("round $i, 1%: extract $ext s, load $inc s, analytics $ana s, VACUUM $vinc s")
	incremental 1000 $(( (1 + 3 * (i - 1)) % 500 )); ext01pc=$ext inc01pc=$inc chg01pc=$chg steps01pc=$steps; ext01pctop=$(top3 extract extract:)
	ana01pc=$ana vac01pc=$vinc ext01pcvs=$extvs load01pcvs=$loadvs
	rounds+=("round $i, 0.1%: extract $ext s, load $inc s, analytics $ana s, VACUUM $vinc s")
done
# The full rebuild once more after the incremental rounds (full, incrementals, full: a
# machine getting slower or faster shows as two different rebuild times).
t0=$(now); q "$DB" "CALL doliflow.load_warehouse(full_rebuild => true)" >/dev/null 2>&1 || df_die "full rebuild failed"; full3=$(since "$t0")
t0=$(now); q "$DB" "VACUUM (ANALYZE)" >/dev/null 2>&1 || df_die "vacuum failed"; vac3=$(since "$t0")
dw=$(q "$DB" "SELECT sum(rows_total) FROM dw.load_state")

printf 'source: %s, %s source rows (generated in %ss)\n' "$how" "$rows" "$gen_s"
printf '%-44s %10s\n' "measure" "seconds"
printf '%-44s %10s\n' "extract (first, full)" "$ext1"
printf '%-44s %10s\n' "load_warehouse (first load, full)" "$full1"
printf '%-44s %10s\n' "load_warehouse(full_rebuild => true)" "$full2"
printf '%-44s %10s\n' "VACUUM (ANALYZE) after the full loads" "$vac"
printf '%-44s %10s\n' "run_analytics() (first night)" "$ana1"
printf '%-44s %10s\n' "full rebuild again after the rounds" "$full3"
printf '%-44s %10s\n' "VACUUM (ANALYZE) after it" "$vac3"
printf '%-44s %10s\n' "extract (after 1% changed)" "$ext1pc"
printf '%-44s %10s\n' "load_warehouse incremental (1% changed)" "$inc1pc"
printf '%-44s %10s\n' "run_analytics() (1% changed)" "$ana1pc"
printf '%-44s %10s\n' "VACUUM (ANALYZE) after it (1% changed)" "$vac1pc"
printf '%-44s %10s\n' "extract (after 0.1% changed)" "$ext01pc"
printf '%-44s %10s\n' "load_warehouse incremental (0.1% changed)" "$inc01pc"
printf '%-44s %10s\n' "run_analytics() (0.1% changed)" "$ana01pc"
printf '%-44s %10s\n' "VACUUM (ANALYZE) after it (0.1% changed)" "$vac01pc"
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f%%", 100 * a / b }'; }
printf 'dw rows rewritten: 1%%: %s, 0.1%%: %s, of %s\n' "$chg1pc" "$chg01pc" "$dw"
printf 'incremental load time as a share of the full rebuild: 1%%: %s, 0.1%%: %s (first load: %s, %s)\n' \
	"$(pct "$inc1pc" "$full2")" "$(pct "$inc01pc" "$full2")" "$(pct "$inc1pc" "$full1")" "$(pct "$inc01pc" "$full1")"
printf 'ratio full rebuild / incremental: 1%%: %s, 0.1%%: %s\n' \
	"$(awk -v a="$full2" -v b="$inc1pc" 'BEGIN { if (b > 0) printf "%.1f", a / b }')" \
	"$(awk -v a="$full2" -v b="$inc01pc" 'BEGIN { if (b > 0) printf "%.1f", a / b }')"
printf 'first night: extract %s s (%s of extract + load), load %s s (%s)\n' "$ext1" \
	"$(pct "$ext1" "$(awk -v a="$ext1" -v b="$full1" 'BEGIN { print a + b }')")" "$full1" \
	"$(pct "$full1" "$(awk -v a="$ext1" -v b="$full1" 'BEGIN { print a + b }')")"
printf 'first extract, top three tables: %s\n' "$ext1top"
printf 'first load, top three steps: %s\n' "$load1top"
printf 'incremental extract as a share of the first extract: 1%%: %s, 0.1%%: %s\n' "$(pct "$ext1pc" "$ext1")" "$(pct "$ext01pc" "$ext1")"
printf 'incremental extract, top three tables, 1%%: %s\n' "$ext1pctop"
printf 'incremental extract, top three tables, 0.1%%: %s\n' "$ext01pctop"
printf 'incremental extract, top three tables against their first extract, 1%%: %s\n' "$ext1pcvs"
printf 'incremental extract, top three tables against their first extract, 0.1%%: %s\n' "$ext01pcvs"
printf 'incremental load, top three steps against the full rebuild, 1%%: %s\n' "$load1pcvs"
printf 'incremental load, top three steps against the full rebuild, 0.1%%: %s\n' "$load01pcvs"
add() { awk 'BEGIN { s = 0; for (i = 1; i < ARGC; i++) s += ARGV[i]; printf "%.2f", s }' "$@"; }
printf 'full rebuild: %s s then %s s after the rounds; with its VACUUM: %s s, %s s\n' "$full2" "$full3" "$(add "$full2" "$vac")" "$(add "$full3" "$vac3")"
printf 'with VACUUM on both sides, incremental load + VACUUM as a share of full rebuild + VACUUM (first rebuild): 1%%: %s, 0.1%%: %s\n' \
	"$(pct "$(add "$inc1pc" "$vac1pc")" "$(add "$full2" "$vac")")" "$(pct "$(add "$inc01pc" "$vac01pc")" "$(add "$full2" "$vac")")"
night1=$(add "$ext1" "$full1" "$ana1"); night1pc=$(add "$ext1pc" "$inc1pc" "$ana1pc"); night01pc=$(add "$ext01pc" "$inc01pc" "$ana01pc")
printf 'nightly cycle (extract + load + analytics), first night: %s s = %s + %s + %s\n' "$night1" "$ext1" "$full1" "$ana1"
printf 'nightly cycle, 1%% changed: %s s = %s + %s + %s (%s of the first night)\n' "$night1pc" "$ext1pc" "$inc1pc" "$ana1pc" "$(pct "$night1pc" "$night1")"
printf 'nightly cycle, 0.1%% changed: %s s = %s + %s + %s (%s of the first night)\n' "$night01pc" "$ext01pc" "$inc01pc" "$ana01pc" "$(pct "$night01pc" "$night1")"
[ "$REPEAT" -gt 1 ] && printf '%s\n' "${rounds[@]}"
printf 'incremental steps, 1%% (s): %s\n' "$steps1pc"
printf 'incremental steps, 0.1%% (s): %s\n' "$steps01pc"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
my -e "DROP DATABASE IF EXISTS $SRC" 2>/dev/null
exit 0
