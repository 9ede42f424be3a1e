#!/usr/bin/env bash
# 75_report_browser: the HTML report (doliflow.report_html) rendered in a real
# headless Chromium (Debian's chromium), issue 17.
#  1. a generated Dolibarr source (small scale, ending today) goes through the nightly
#     pipeline (its module "report" stores every page in French and English);
#  2. each page is written to a file, rendered by Chromium (--dump-dom for the DOM,
#     --screenshot for a PNG), and checked: the expected sections, numbers equal to the
#     dw views, the values HTML-escaped, no console message, no request to anything
#     but the file itself (the resolver fails every host; the net log is read);
#  3. a fresh install (no data) and a failed night: the pages say so, on the first line;
#  4. the time each page takes to render (report_html call) is printed (the timing
#     check is test/bench/report.sh, at the medium scale).
# Screenshots, pages and DOM dumps are kept in test/artifacts/report/ (ignored by
# git; $REPORT_ARTIFACTS overrides it).
set -u
. "$(dirname "$0")/../lib.sh"

ART=${REPORT_ARTIFACTS:-$DF_ROOT/test/artifacts/report}
rm -rf "$ART"; mkdir -p "$ART"; chmod 755 "$ART"
W=$(mktemp -d "$TEST_TMP/75_report.XXXXXX"); chmod 755 "$W"
SRC=rp75_src
PG=rp75
PGF=rp75_fresh

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ]; ok $? "Chromium is installed ($CHROMIUM)" || done_testing

# render NAME WIDTHxHEIGHT: $W/NAME.html -> $W/NAME.dom (DOM after rendering),
# $ART/NAME.png, $W/NAME.console (console messages), $W/NAME.urls (URLs the
# net log saw).  Every host name resolves to nothing.
render() {
	local name=$1 size=$2 profile
	for mode in dom shot; do
		profile=$(mktemp -d "$W/profile.XXXXXX")
		args=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
			  --disable-background-networking --disable-component-update --disable-sync
			  --disable-default-apps --disable-extensions --hide-scrollbars
			  "--host-resolver-rules=MAP * ~NOTFOUND" --user-data-dir="$profile"
			  --enable-logging=stderr --v=0 --log-net-log="$W/$name.$mode.netlog" --window-size="${size/x/,}")
		if [ $mode = dom ]; then
			timeout 120 "$CHROMIUM" "${args[@]}" --dump-dom "file://$W/$name.html" >"$W/$name.dom" 2>"$W/$name.$mode.stderr"
		else
			timeout 120 "$CHROMIUM" "${args[@]}" --screenshot="$ART/$name.png" "file://$W/$name.html" >/dev/null 2>"$W/$name.$mode.stderr"
		fi
		rm -rf "$profile"
	done
	cat "$W/$name.dom.stderr" "$W/$name.shot.stderr" | grep -a 'CONSOLE' >"$W/$name.console"
	# URLs in the net log, without Chromium's own background services (update
	# checks, accounts: they fail too, the resolver knows no host).
	cat "$W/$name.dom.netlog" "$W/$name.shot.netlog" 2>/dev/null | grep -ao '"url":"[^"]*"' | sed 's/^"url":"//; s/"$//' |
		grep -Ev '^https?://([a-z0-9.-]+\.)?(google\.com|googleapis\.com|gvt1\.com|gstatic\.com)(/|:|$)' | sort -u >"$W/$name.urls"
	cp "$W/$name.html" "$ART/$name.html"
	[ -s "$W/$name.dom" ] && [ -s "$ART/$name.png" ]
}

# facts FILE: what the DOM shows, one "key=value" a line (python's own HTML parser).
facts() {
	python3 - "$1" <<'PY'
import sys, re, html.parser, collections
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []; self.f = collections.Counter(); self.text = {}; self.first = None
        self.cur = []; self.body_seen = False; self.ext = []; self.ltweek = []
    def gap(self):
        for t in self.stack:
            if t[1]: self.text[t[1]] = self.text.get(t[1], '') + ' '
    def handle_starttag(self, tag, attrs):
        self.gap()
        a = dict(attrs)
        if tag == 'body': self.body_seen = True
        elif self.body_seen and self.first is None: self.first = a.get('id', tag)
        self.f['tag.' + tag] += 1
        for k, v in attrs:
            if k in ('src', 'href', 'action', 'srcset', 'poster', 'data') and v and not v.startswith('#'):
                self.ext.append(v)
            if k == 'style' and v and 'url(' in v: self.ext.append(v)
        if 'id' in a: self.f['id.' + a['id']] += 1
        if tag == 'tr' and 'alert' in a.get('class', '').split(): self.f['alert.' + a.get('data-level', '')] += 1
        if tag == 'tr' and 'segment' in a.get('class', '').split(): self.f['segrow'] += 1
        for c in a.get('class', '').split(): self.f['class.' + c] += 1
        if 'data-count' in a: print('data-count.%s=%s' % (a.get('id'), a['data-count']))
        if 'data-status' in a: print('status=%s' % a['data-status'])
        for k in ('data-value', 'data-sim', 'data-stockouts'):
            if k in a and 'id' in a: print('%s.%s=%s' % (k, a['id'], a[k]))
        if tag == 'tr' and 'ltweek' in a.get('class', '').split(): self.ltweek.append(a.get('data-value', ''))
        if tag not in ('br', 'meta', 'line', 'rect', 'polyline', 'polygon', 'img', 'input', 'link'):
            self.stack.append((tag, a.get('id'), a.get('class', '')))
    def handle_endtag(self, tag):
        self.gap()
        while self.stack:
            t = self.stack.pop()
            if t[0] == tag: break
    def handle_data(self, d):
        for t in self.stack:
            if t[1]: self.text[t[1]] = self.text.get(t[1], '') + d
p = P(); p.feed(open(sys.argv[1], encoding='utf-8').read())
for k, v in sorted(p.f.items()): print('%s=%s' % (k, v))
for k, v in sorted(p.text.items()): print('text.%s=%s' % (k, re.sub(r'[ \t\r\n]+', ' ', v).strip()))
print('first=%s' % p.first)
print('ltweeks=%s' % ' '.join(p.ltweek))
print('external=%s' % len(p.ext))
PY
}
fact() { grep -m1 "^$2=" "$1" | cut -d= -f2-; }

# French number as the page writes it: no-break space between thousands, decimal comma.
NBSP=$(printf '\xc2\xa0')
fr_num() { python3 -c "import sys; d=int(sys.argv[2]); s='{:,.{}f}'.format(float(sys.argv[1]), d); print(s.replace(',', '\u00a0').replace('.', ','))" "$1" "$2"; }

#------------------------------------------------------------------------------
# 1. The source, the nightly pipeline and back-tests
#------------------------------------------------------------------------------
( unset MYSQL_HOST; df_new_source "$SRC" small 17 "$(date +%F)" ) || { ok 1 "generate the source"; done_testing; }
df_new_pgdb "$PG" && df_connect "$PG" "$SRC"; ok $? "doliflow installed and connected"
psql -X -q -v ON_ERROR_STOP=1 -d "$PG" -c "CALL doliflow.run_pipeline()" >"$W/pipeline.out" 2>&1
is "$(q "$PG" "SELECT status FROM doliflow.run_log WHERE kind = 'pipeline' ORDER BY run_id DESC LIMIT 1")" success "the nightly pipeline succeeded"
# Back-tests 28 and 14 days before the last day of demand: forecast vs actual and accuracy by week.
q "$PG" "SELECT doliflow.generate_predictions((SELECT max(day) FROM dw.fact_sales_daily) - o, true, 'backtest')
           FROM (VALUES (28), (14)) v(o)" >/dev/null 2>>"$W/pipeline.out"
ok $? "back-tests"
# The simulation module judges the forecasts of every origin of its period: with the back-tests
# made after the night, it computes again (a newer forecast run), as the next night would.
psql -X -q -v ON_ERROR_STOP=1 -d "$PG" -c "CALL doliflow.run_analytics('simulation')" >>"$W/pipeline.out" 2>&1
is "$(q "$PG" "SELECT count(*) > 1 AND max(forecast_run_id) = (SELECT max(run_id) FROM dw.prediction_runs) FROM dw.simulation_runs")" t \
	"the simulation module computes again after the back-tests (a newer forecast run)"
# The nightly copy: 5 pages x 2 languages, from the pipeline's run.
is "$(q "$PG" "SELECT count(*) || ' ' || count(DISTINCT run_id) || ' ' || bool_and(run_id = (SELECT max(run_id) FROM doliflow.run_log WHERE kind = 'pipeline'))
                 FROM doliflow.report_pages")" "10 1 true" "the pipeline stored every page in French and English (doliflow.report_pages)"
is "$(q "$PG" "SELECT status || ' ' || rows_out FROM doliflow.run_step WHERE step = 'analytics:report' ORDER BY step_id DESC LIMIT 1")" \
	"success 10" "the report module is a step of the nightly run"

# An item whose label would be markup if it were not escaped.
hostile='<img src=x onerror=alert(1)> Tube "cuivre" & co'
q "$PG" "UPDATE dw.dim_product SET label = \$h\$$hostile\$h\$
          WHERE product_key = (SELECT fk_product FROM dw.v_stock_alerts WHERE level = 'Critical'
                                ORDER BY days_of_cover NULLS LAST, fk_product LIMIT 1)" >/dev/null
ok $? "a Critical item's label holds markup"

#------------------------------------------------------------------------------
# 2. Every page in Chromium
#------------------------------------------------------------------------------
declare -A SIZE=([alertes]=1280x2600 [tableau]=1280x1150 [predictions]=1280x1900 [interventions]=1280x2700 [all]=1280x1600 [all_en]=1280x1600)
for p in alertes tableau predictions interventions all all_en; do
	page=${p%_en}; lang=fr; [ "$p" = all_en ] && lang=en
	q "$PG" "SELECT doliflow.report_html('$page', '$lang')" >"$W/$p.html" || { ok 1 "report_html('$page', '$lang')"; continue; }
	render "$p" "${SIZE[$p]}"; ok $? "$p: rendered by Chromium, screenshot $ART/$p.png"
	facts "$W/$p.dom" >"$W/$p.facts"
	is "$(fact "$W/$p.facts" first)" run-status "$p: the first line is the run status"
	is "$(fact "$W/$p.facts" status)" success "$p: it says the night succeeded"
	[ -n "$(fact "$W/$p.facts" id.computed-at)" ] && [ -n "$(fact "$W/$p.facts" id.freshness)" ]; ok $? "$p: computation time and source freshness shown"
	is "$(wc -l <"$W/$p.console")" 0 "$p: no console message"; [ -s "$W/$p.console" ] && head -3 "$W/$p.console" | sed 's/^/# /'
	is "$(grep -vc "^file://$W/$p.html\$" "$W/$p.urls")" 0 "$p: no request but the file itself"; grep -v "^file://" "$W/$p.urls" | head -3 | sed 's/^/# /'
	is "$(fact "$W/$p.facts" external)$(fact "$W/$p.facts" tag.script)$(grep -Ec 'https?://' "$W/$p.html")" "00" "$p: no script, no URL in the document"
done

# Sections of each page.
for id in alertes alert-table alert-charts ok-count; do [ -n "$(fact "$W/alertes.facts" id.$id)" ] || echo "# alertes: no #$id"; done
[ -n "$(fact "$W/alertes.facts" id.alert-table)" ] && [ -n "$(fact "$W/alertes.facts" id.alert-charts)" ]; ok $? "alertes: the table of urgent items and their charts"
for id in tiles tile-critical tile-stock-value tile-rotation tile-revenue trend-chart top3; do
	[ -n "$(fact "$W/tableau.facts" id.$id)" ] || { echo "# tableau: no #$id"; miss=1; }
done
[ -z "${miss:-}" ]; ok $? "tableau: the tiles, the 7-day trend chart and the top 3"; unset miss
for id in forecast-table fc-actual-chart accuracy-chart accuracy-table; do
	[ -n "$(fact "$W/predictions.facts" id.$id)" ] || { echo "# predictions: no #$id"; miss=1; }
done
[ -z "${miss:-}" ]; ok $? "predictions: forecast table, forecast vs actual and accuracy by week"; unset miss
for id in lt-accuracy lt-accuracy-chart lt-accuracy-table; do
	[ -n "$(fact "$W/predictions.facts" id.$id)" ] || { echo "# predictions: no #$id"; miss=1; }
done
[ -z "${miss:-}" ]; ok $? "predictions: the lead-time accuracy by week, chart and table"; unset miss
projects=tech-table; [ "$(q "$PG" "SELECT count(*) FROM dw.v_active_projects")" -gt 0 ] && projects=project-table
for id in tickets-chart tickets-table tech-table $projects anomaly-table segment-table; do
	[ -n "$(fact "$W/interventions.facts" id.$id)" ] || { echo "# interventions: no #$id"; miss=1; }
done
[ -z "${miss:-}" ]; ok $? "interventions: tickets, technicians, projects, anomalies and segments"; unset miss
is "$(fact "$W/all.facts" tag.section)" 4 "all: the four pages in one document"
is "$(fact "$W/all_en.facts" text.tile-critical | cut -d' ' -f1)" Critical "all in English: the level is Critical"
is "$(fact "$W/tableau.facts" text.tile-critical | cut -d' ' -f1)" Critique "tableau in French: the level is Critique"

# Numbers equal to the views.
is "$(fact "$W/alertes.facts" alert.Critical)" "$(q "$PG" "SELECT count(*) FROM dw.v_stock_alerts WHERE level = 'Critical'")" \
	"alertes: as many Critique rows as Critical items in dw.v_stock_alerts"
is "$(fact "$W/alertes.facts" alert.Attention)" "$(q "$PG" "SELECT count(*) FROM dw.v_stock_alerts WHERE level = 'Attention'")" \
	"alertes: as many Attention rows as in dw.v_stock_alerts"
is "$(fact "$W/alertes.facts" text.n-urgent)" "$(q "$PG" "SELECT count(*) FROM dw.v_stock_alerts WHERE level IN ('Critical', 'Attention')")" \
	"alertes: the urgent count"
is "$(fact "$W/alertes.facts" class.card)" "$(q "$PG" "SELECT least(24, count(*)) FROM dw.v_stock_alerts WHERE level IN ('Critical', 'Attention')")" \
	"alertes: one chart per urgent item (the first 24)"
# Issue 17's wording: suggested quantity with packaging/MOQ rounding shown, supplier and planned delivery date.
is "$(fact "$W/alertes.facts" class.rounding)" "$(q "$PG" "SELECT count(*) FROM dw.v_stock_alerts WHERE level IN ('Critical', 'Attention') AND order_quantity > 0")" \
	"alertes: the MOQ / packaging rounding shown for every urgent item with something to order"
is "$(fact "$W/alertes.facts" class.supplier)" "$(fact "$W/alertes.facts" text.n-urgent)" "alertes: a supplier cell per urgent item"
miss=$(q "$PG" "SELECT DISTINCT doliflow._report_date(planned_delivery_date, 'fr') FROM dw.v_stock_alerts WHERE level IN ('Critical', 'Attention')" |
	while read -r dte; do grep -qF "$dte" "$W/alertes.dom" || printf '%s ' "$dte"; done)
is "$miss" "" "alertes: every urgent item's planned delivery date (dw.v_stock_alerts.planned_delivery_date) is on the page"
sup=$(q "$PG" "SELECT supplier_name FROM dw.v_stock_alerts WHERE level IN ('Critical', 'Attention') AND supplier_name IS NOT NULL ORDER BY level_rank, fk_product LIMIT 1")
[ -z "$sup" ] || grep -qF "$sup" "$W/alertes.dom"; ok $? "alertes: the supplier used is named ($sup)"
read -r n_crit n_att n_ok stock_value rotation <<<"$(q "$PG" "SELECT n_critical, n_attention, n_ok, stock_value, rotation_rate FROM dw.v_dashboard" | tr '|' ' ')"
is "$(fact "$W/tableau.facts" text.tile-critical)" "Critique $n_crit articles" "tableau: the Critique tile equals dw.v_dashboard.n_critical"
is "$(fact "$W/tableau.facts" text.tile-attention)" "Attention $n_att articles" "tableau: the Attention tile equals n_attention"
is "$(fact "$W/tableau.facts" text.tile-ok)" "OK $n_ok articles" "tableau: the OK tile equals n_ok"
is "$(fact "$W/tableau.facts" text.tile-stock-value)" "Valeur du stock $(fr_num "$stock_value" 0)$NBSP€" "tableau: the stock value in French format (1 234 €)"
is "$(fact "$W/tableau.facts" text.tile-rotation | cut -d' ' -f5)" "$(fr_num "$rotation" 2)" "tableau: the rotation rate"
is "$(fact "$W/tableau.facts" class.top)" "$(q "$PG" "SELECT least(3, count(*)) FROM dw.v_stock_alerts WHERE level IN ('Critical', 'Attention')")" "tableau: the top 3 urgencies"
is "$(fact "$W/predictions.facts" class.week)" "$(q "$PG" "SELECT least(12, count(*)) FROM dw.v_forecast_accuracy WHERE grain = 'week'")" \
	"predictions: one row per week of dw.v_forecast_accuracy (up to 12)"
is "$(fact "$W/interventions.facts" data-count.anomaly-count)" "$(q "$PG" "SELECT count(*) FROM dw.v_anomalies")" "interventions: the anomaly count equals dw.v_anomalies"
is "$(fact "$W/interventions.facts" segrow)" "$(q "$PG" "SELECT count(DISTINCT segment) FROM dw.v_customer_segments")" "interventions: one row per customer segment"
is "$(fact "$W/interventions.facts" class.month)" "$(q "$PG" "SELECT least(12, count(*)) FROM dw.v_tickets_monthly WHERE month IS NOT NULL")" \
	"interventions: the last 12 months of dw.v_tickets_monthly"

# The savings of the nightly simulation and the lead-time accuracy (issue 16, item 5).
is "$(q "$PG" "SELECT status || ' ' || (rows_out > 0) FROM doliflow.run_step WHERE step = 'analytics:simulation' ORDER BY step_id DESC LIMIT 1")" \
	"success true" "the simulation module is a step of the nightly run and stored its results"
read -r saved_value saved_days lt_pct sim_current <<<"$(q "$PG" "SELECT saved_stock_value, saved_stockout_days, coalesce(lead_time_accuracy_pct::text, '-'), simulation_current FROM dw.v_dashboard" | tr '|' ' ')"
is "$(fact "$W/tableau.facts" data-sim.tile-savings) $(fact "$W/tableau.facts" data-value.tile-savings) $(fact "$W/tableau.facts" data-stockouts.tile-savings)" \
	"current $saved_value $saved_days" "tableau: the savings tile equals dw.v_dashboard (saved_stock_value, saved_stockout_days), current"
is "$(fact "$W/tableau.facts" text.tile-savings | sed "s/^Économies (simulation) //; s/ de stock moyen.*//")" "$(fr_num "$saved_value" 0)$NBSP€" \
	"tableau: the saved stock value in French format"
is "$sim_current" t "dw.v_dashboard: the simulation is computed from the current load"
is "$(fact "$W/tableau.facts" data-value.tile-lt-accuracy)" "${lt_pct/-/}" "tableau: the lead-time accuracy tile equals dw.v_dashboard.lead_time_accuracy_pct"
is "$(q "$PG" "SELECT saved_stock_value = d.avg_stock_value - f.avg_stock_value AND saved_stockout_days = d.stockout_days - f.stockout_days
                 FROM dw.v_dashboard v
                 JOIN dw.simulation_results f ON f.sim_id = v.simulation_id AND f.policy = 'doliflow' AND f.fk_product IS NULL
                 JOIN dw.simulation_results d ON d.sim_id = v.simulation_id AND d.policy = 'dolibarr' AND d.fk_product IS NULL")" t \
	"dw.v_dashboard: the savings are Dolibarr's rule minus doliflow's policy in the stored simulation"
is "$(fact "$W/predictions.facts" ltweeks)" "$(q "$PG" "SELECT coalesce(string_agg(coalesce(accuracy_pct::text, ''), ' ' ORDER BY week_start DESC), '')
                 FROM (SELECT * FROM dw.v_lead_time_accuracy WHERE grain = 'week' ORDER BY week_start DESC LIMIT 12) w")" \
	"predictions: one row per week of dw.v_lead_time_accuracy, with its accuracy"
is "$(q "$PG" "SELECT coalesce(string_agg(x ->> 'accuracy_pct', ' ' ORDER BY x ->> 'week_start'), '') FROM dw.v_dashboard, jsonb_array_elements(lead_time_accuracy_trend) x")" \
	"$(q "$PG" "SELECT coalesce(string_agg(accuracy_pct::text, ' ' ORDER BY week_start), '') FROM dw.v_lead_time_accuracy WHERE grain = 'week'")" \
	"dw.v_dashboard: the lead-time accuracy trend is that of dw.v_lead_time_accuracy"
# An independent lead-time error: the latest back-test (origin o) against the demand of o+1 .. o+L.
read -r bt_origin <<<"$(q "$PG" "SELECT max(origin) FROM dw.prediction_runs WHERE kind = 'backtest'")"
is "$(q "$PG" "WITH lt AS (SELECT p.product_key AS fk_product, greatest(coalesce(nullif(p.supplier_lead_time_days, 0), (SELECT value::int FROM doliflow.settings WHERE name = 'lead_time_default_days')), 1) AS lead
                              FROM dw.dim_product p WHERE coalesce(p.product_type, 0) = 0
                                AND (coalesce(p.to_sell, true) OR coalesce(p.to_buy, true) OR p.stock_total <> 0)),
                     run AS (SELECT run_id FROM dw.prediction_runs WHERE origin = '$bt_origin' AND kind IN ('nightly', 'backtest') ORDER BY generated_at DESC, run_id DESC LIMIT 1),
                     w AS (SELECT lt.fk_product, sum(pr.yhat) AS f, count(*) AS n, lt.lead,
                                  (SELECT coalesce(sum(demand_qty), 0) FROM dw.fact_sales_daily s WHERE s.product_key = lt.fk_product
                                      AND s.day > '$bt_origin'::date AND s.day <= '$bt_origin'::date + lt.lead) AS a
                             FROM lt JOIN dw.predictions pr ON pr.fk_product = lt.fk_product AND pr.run_id = (SELECT run_id FROM run)
                                  AND pr.fk_entrepot IS NULL AND pr.day > '$bt_origin' AND pr.day <= '$bt_origin'::date + lt.lead
                            WHERE '$bt_origin'::date + lt.lead <= (SELECT max(day) FROM dw.fact_sales_daily WHERE demand_qty <> 0)
                            GROUP BY lt.fk_product, lt.lead HAVING count(*) = lt.lead)
                SELECT (SELECT count(*) FROM w) > 0
                   AND abs((SELECT sum(abs(f - a))::numeric FROM w)
                     - (SELECT sum(abs_error) FROM dw.lead_time_accuracy l
                         WHERE l.sim_id = (SELECT simulation_id FROM dw.v_dashboard) AND l.week_start = date_trunc('week', '$bt_origin'::date)
                           AND NOT EXISTS (SELECT 1 FROM dw.prediction_runs r WHERE r.kind IN ('nightly', 'backtest') AND r.origin <> '$bt_origin'
                                            AND date_trunc('week', r.origin) = date_trunc('week', '$bt_origin'::date))))
                       <= 0.0005 * (SELECT count(*) FROM w)")" t \
	"dw.lead_time_accuracy: the lead-time error of the latest back-test equals a hand computation (forecast over o+1..o+L against the demand; stored sums are rounded to 0.001 per product)"
# No simulation: the page says so; a result from an earlier load: the page says it is stale.
q "$PG" "BEGIN; DELETE FROM dw.simulation_runs; SELECT doliflow.report_html('tableau'); ROLLBACK" | sed '/^$/d' >"$W/nosim.html"
render nosim 1280x1150; ok $? "no simulation: rendered, screenshot $ART/nosim.png"
facts "$W/nosim.dom" >"$W/nosim.facts"
is "$(fact "$W/nosim.facts" data-sim.tile-savings) $(fact "$W/nosim.facts" id.savings-none)" "none 1" "no simulation: the savings tile says there is none"
q "$PG" "BEGIN; UPDATE dw.simulation_runs SET load_run_id = load_run_id - 1; SELECT doliflow.report_html('tableau'); ROLLBACK" | sed '/^$/d' >"$W/stalesim.html"
facts "$W/stalesim.html" >"$W/stalesim.facts"
is "$(fact "$W/stalesim.facts" data-sim.tile-savings) $(fact "$W/stalesim.facts" id.savings-stale)" "stale 1" \
	"a simulation from an earlier load: the savings tile says it is stale"

# Escaping: the label is text in the DOM, never an element.
grep -qF 'Tube "cuivre" &amp; co' "$W/alertes.dom" && ! grep -q '<img' "$W/alertes.dom"; ok $? "alertes: the markup in a label is shown as text, not run"

# The detectors can fail: a page that fetches an image and runs a script is caught.
cat >"$W/canary.html" <<'EOF'
<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><p>canary</p><img src="http://canary.invalid/x.png"><script>console.error("canary")</script></body></html>
EOF
render canary 400x300
[ -s "$W/canary.console" ] && grep -q 'canary.invalid' "$W/canary.urls"; ok $? "the console and request checks catch a page that logs and fetches"
rm -f "$ART/canary.png" "$ART/canary.html"

#------------------------------------------------------------------------------
# 3. A fresh install and a failed night
#------------------------------------------------------------------------------
df_new_pgdb "$PGF"; ok $? "a fresh install"
q "$PGF" "SELECT doliflow.report_html()" >"$W/fresh.html"
render fresh 1280x1000; ok $? "fresh: rendered, screenshot $ART/fresh.png"
facts "$W/fresh.dom" >"$W/fresh.facts"
is "$(fact "$W/fresh.facts" first) $(fact "$W/fresh.facts" status)" "run-status none" "fresh: the first line says doliflow never ran"
grep -q "Aucune donnée" "$W/fresh.dom"; ok $? "fresh: 'Aucune donnée'"
is "$(fact "$W/fresh.facts" tag.svg)" "" "fresh: no empty chart"
[ "$(fact "$W/fresh.facts" class.empty)" -ge 4 ]; ok $? "fresh: every section says it has no data"

# The source goes away: the next night fails to extract.
q "$PG" "ALTER SERVER doliflow_source OPTIONS (SET port '1')" >/dev/null
psql -X -q -d "$PG" -c "CALL doliflow.run_pipeline()" >>"$W/pipeline.out" 2>&1
night=$(q "$PG" "SELECT status FROM doliflow.run_log WHERE kind = 'pipeline' ORDER BY run_id DESC LIMIT 1")
diag "the night without source: $night"
q "$PG" "SELECT doliflow.report_html('tableau')" >"$W/failed.html"
render failed 1280x1000; ok $? "failed night: rendered, screenshot $ART/failed.png"
facts "$W/failed.dom" >"$W/failed.facts"
is "$(fact "$W/failed.facts" first) $(fact "$W/failed.facts" status)" "run-status $night" "failed night: the first line is the run status"
[ "$night" = partial ] || [ "$night" = failed ]; ok $? "the night is not reported as a success"
fact "$W/failed.facts" text.run-status | grep -q '^ATTENTION : la dernière nuit'; ok $? "failed night: the first line says ATTENTION: la dernière nuit ..."
diag "first line: $(fact "$W/failed.facts" text.run-status | cut -c1-200)"
is "$(q "$PG" "SELECT count(*) FROM doliflow.report_pages WHERE html LIKE '%<body%><p class=\"banner bad\" id=\"run-status\" data-status=\"partial\">%'")" 10 \
	"the nightly report stored by that night says on its first line that the night is incomplete"
q "$PG" "SELECT html FROM doliflow.report_pages WHERE page = 'all' AND lang = 'fr'" >"$ART/stored_all.html"
is "$(fact "$W/failed.facts" data-sim.tile-savings) $(fact "$W/failed.facts" id.savings-stale)" "stale 1" \
	"failed night: the savings of the earlier simulation are shown as stale, never as fresh"

#------------------------------------------------------------------------------
# 4. Time to render
#------------------------------------------------------------------------------
times=$(psql -X -q -d "$PG" -c "DO \$\$
DECLARE t0 timestamptz; r text := ''; p text; n integer;
BEGIN
	FOREACH p IN ARRAY ARRAY['alertes', 'tableau', 'predictions', 'interventions', 'all'] LOOP
		t0 := clock_timestamp();
		n := length(doliflow.report_html(p));
		r := r || p || '=' || round(extract(epoch FROM clock_timestamp() - t0) * 1000) || ' ';
	END LOOP;
	RAISE NOTICE 'times: %', r;
END \$\$" 2>&1 | sed -n 's/^NOTICE:  times: //p' | sed 's/ *$//')
diag "report_html milliseconds at the small scale: $times"
echo "$times" >"$ART/render_ms.txt"
# Printed, not asserted: wall time on a shared machine is no test.  The figure that
# counts (each page under a second at the medium scale) is test/bench/report.sh's.

diag "artefacts: $ART"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGF" >/dev/null 2>&1
done_testing
