#!/usr/bin/env bash
# A generated Dolibarr source holding every kind of dirt (test/generator)
# extracts without error, and the quality report flags each kind recorded in
# NAME_truth.truth_dirt.
set -u
. "$(dirname "$0")/../lib.sh"

SRC=df23_src
PG=df23
(unset MYSQL_HOST; df_new_source "$SRC" small 23) || { echo "not ok 1 - generated source loads"; echo "1..1"; exit 1; }
df_new_pgdb "$PG" && df_connect "$PG" "$SRC"; ok $? "install and connect"
sleep 1.1
psql -X -q -d "$PG" -c "CALL doliflow.extract()" >"$TEST_TMP/23.out" 2>&1; ok $? "extract() of the generated source runs"
is "$(q "$PG" "SELECT count(*) FROM doliflow.run_step WHERE status <> 'success'")" "0" "every step succeeded"
is "$(q "$PG" "SELECT bool_and(rows_fetched = source_count) FROM lake.batch")" "t" "every batch fetched what the source counted"
for t in llx_societe llx_ticket llx_facture llx_facturedet llx_stock_mouvement llx_projet_task llx_element_time llx_fichinter; do
	is "$(q "$PG" "SELECT count(*) || ':' || coalesce(sum(rowid), 0) FROM lake.${t}_current")" \
	   "$(myq "$SRC" "SELECT CONCAT(COUNT(*), ':', COALESCE(SUM(rowid), 0)) FROM $t")" "$t: lake current = source"
done

truth() { myq "${SRC}_truth" "$1"; }
qr() { q "$PG" "SELECT $1 FROM doliflow.quality_report(30) WHERE table_name = '$2'"; }
while IFS=$'\t' read -r kind tbl n; do
	case $kind in
		zero_date) col=zero_dates ;;
		orphan_key) col=orphans ;;
		negative_qty) col=negative_quantities ;;
		end_before_start) col=end_before_start ;;
		duplicate_ref) col=duplicates ;;
		null_value) col=missing_cells ;;
		emoji) continue ;;
		*) ok 1 "unknown dirt kind $kind"; continue ;;
	esac
	got=$(qr "$col" "$tbl")
	[ -n "$got" ] && [ "${got%.*}" -ge "$n" ] 2>/dev/null; ok $? "quality report flags $kind in $tbl (truth $n, report $col = $got)"
done < <(truth "SELECT kind, table_name, COUNT(*) FROM truth_dirt GROUP BY kind, table_name ORDER BY 1, 2")

# Zero dates: exactly the rows of the truth, flagged with the column.
while IFS=$'\t' read -r tbl colname ids; do
	is "$(q "$PG" "SELECT coalesce(string_agg(rowid::text, ',' ORDER BY rowid), '') FROM lake.${tbl}_current WHERE '$colname' = ANY (_invalid_dates)")" \
	   "$ids" "zero dates of $tbl.$colname are exactly the truth's rows, NULL in the lake"
done < <(truth "SELECT table_name, column_name, GROUP_CONCAT(row_id ORDER BY row_id) FROM truth_dirt WHERE kind = 'zero_date' GROUP BY 1, 2")

# Emoji survive byte for byte.
while IFS=$'\t' read -r tbl colname ids; do
	key=$(q "$PG" "SELECT key_column FROM doliflow.source_table WHERE table_name = '$tbl'")
	is "$(q "$PG" "SELECT md5(string_agg($colname, '|' ORDER BY $key)) FROM lake.${tbl}_current WHERE $key IN ($ids)")" \
	   "$(myq "$SRC" "SELECT MD5(GROUP_CONCAT($colname ORDER BY $key SEPARATOR '|')) FROM $tbl WHERE $key IN ($ids)")" "emoji round-trip in $tbl.$colname"
done < <(truth "SELECT table_name, column_name, GROUP_CONCAT(row_id) FROM truth_dirt WHERE kind = 'emoji' GROUP BY 1, 2")

v1=$(q "$PG" "SELECT sum(rows_loaded + rows_deleted) FROM lake.batch")
psql -X -q -d "$PG" -c "CALL doliflow.extract()" >"$TEST_TMP/23.out" 2>&1
is "$(q "$PG" "SELECT sum(rows_loaded + rows_deleted) FROM lake.batch")" "$v1" "a second extract adds no version"
psql -X -q -d postgres -c "DROP DATABASE $PG WITH (FORCE)" >/dev/null 2>&1
done_testing
