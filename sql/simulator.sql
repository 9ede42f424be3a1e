\set VERBOSITY terse
-- The replenishment simulator (part 62) on a hand-built warehouse of three
-- products replayed over one week, 2024-06-03 (Monday) .. 2024-06-09, every
-- figure checked against the replay computed by hand below.
--
-- Settings: stock_review_days 7, forecast_level_days 56, service_level 0.95.
--   A 9101: pmp 10, lead 3, packaging 5, alert 4, desired 10, stock 7 on the
--           morning of day 1; history 2 a day for 364 days -> doliflow's model
--           level 2, weekday factors 1, sigma 0 (safety stock 0); the naive mean
--           2, sd 0.  Demand of the week 2 2 6 2 0 2 2.
--   B 9102: pmp 4, lead 2, no packaging, alert 5, desired 12, stock 6, no history.
--           Demand 3 every day.
--   C 9103: pmp 1, lead 4, no packaging, no thresholds, stock 12; history 1, 3,
--           1, 3 ... over the 56 days before -> naive mean 2, sd (population) 1,
--           safety stock z(0.95) x 1 x sqrt(4) = 3.2897.  Demand 2 2 2 4 2 2 2.
-- Each day: demand served from stock (lost when short), orders due arrive at
-- the end of the day, then the review on position = on hand + on order.
--
-- doliflow reviews every stock_review_days = 7 days (d1 only in this week) and
--   orders up to the forecast over L + R + safety stock; the safety stock is the
--   0.95 quantile of the back-tested errors of the demand over L + R days.  A's
--   history is 2 every day: every error is 0 -> safety stock 0 ('empirical', over
--   the 172 decision days 2023-12-04 .. 2024-05-23: after 2024-06-02 - 182, and
--   known by 2024-06-02, d + 3 + 7 <= 2024-06-02).
-- doliflow on A: order up to 2 x (3 + 7) = 20.
--   d1 5 (review: order 20 - 5 = 15, a multiple of 5, due end of d4)
--   d2 3 (pos 18)  d3 demand 6: 3 served, 3 lost, 0  d4 2 lost, +15 = 15
--   d5 15  d6 13  d7 11 -> demand 16, served 11, stock-out days 2, one order
--   whose lead time (d2..d4) had a stock-out: cycle service 0/1; average stock
--   (5+3+0+15+15+13+11)/7 = 62/7, value x 10, peak 150.  naive on A: the same.
-- doliflow on A with back-orders: d3 -3, d4 -5 + 15 = 10, d5 10, d6 8, d7 6
--   (no review before d8): average stock (5+3+0+10+10+8+6)/7 = 6, peak 100.
-- dolibarr on A: d1 5 (not < 4)  d2 3 (< 4: order max(10, 4) - 3 = 7 -> 10 by
--   packaging, due end of d5)  d3 3 served, 3 lost  d4 2 lost  d5 0 + 10 = 10
--   d6 8  d7 6 -> served 11 of 16, 2 stock-out days, cycle d3..d5 short: 0/1;
--   average (5+3+0+0+10+8+6)/7 = 32/7, peak 100, ordered 10 (value 100).
-- dolibarr on B: d1 3 (< 5: order 12 - 3 = 9, due end of d3)  d2 0  d3 3 lost,
--   +9 = 9  d4 6  d5 3 (order 9, due end of d7)  d6 0  d7 3 lost, +9 = 9
--   -> served 15 of 21, 2 stock-out days, both cycles short 0/2; average
--   (3+0+9+6+3+0+9)/7 = 30/7, x 4, peak 9 x 4 = 36, 2 orders of 18 (value 72).
-- naive on C: reorder point 8 + 3.2897 = 11.2897, up to 22 + 3.2897.
--   d1 10 (< 11.29: order ceil(25.2897 - 10) = 16, due end of d5)  d2 8 d3 6
--   d4 2  d5 0 + 16 = 16  d6 14  d7 12 -> all 16 served, no stock-out, 1/1;
--   average 68/7, peak 16, ordered 16.
-- doliflow on C: the 56 alternating days give every weekday four 1s and four
--   3s, so weekday factors 1 and level 2; its back-test starts with no history
--   (level 0), so the safety stock X is a large quantile of positive errors
--   (checked below): d1 10 (review: order ceil(2 x 11 + X - 10) = Q, due end of
--   d5), d2 8, d3 6, d4 2, d5 0 + Q, d6 Q - 2, d7 Q - 4: all 16 served, its cycle
--   d2..d5 without stock-out 1/1, average (20 + 3Q)/7.
-- Cycle service level: the share of replenishment cycles (from one arrival to the
--   next; the first from the day after the first order) without a stock-out.
-- doliflow_lt (safety stock z x RMS of the error summed over each 4-day window):
--   A has no error: as doliflow.  C's errors -1 +1 -1 +1 cancel over every 4 days:
--   safety stock 0, reorder point 8, up to 22: d1 10, d2 8 (not < 8), d3 6 (order
--   16, due end of d7), d4 2, d5 0, d6 and d7 short, +16 = 16 -> 12 of 16 served,
--   its cycle (d4..d7) short 0/1, average (10+8+6+2+0+0+16)/7 = 42/7, peak 16.
-- dolibarr on C: no threshold, no order: 10 8 6 2 0 0 0, 12 of 16 served,
--   d6 and d7 short; no cycle (service level NULL).
-- dolibarr over all products: 38 of 53 served; end-of-day stock value of A+B+C:
--   72 38 42 26 112 80 96 -> peak 112; average 320/7 + 120/7 + 26/7 = 466/7.
BEGIN;
SET LOCAL client_min_messages = warning;
DELETE FROM dw.fact_stock;
DELETE FROM dw.fact_sales_daily;
DELETE FROM dw.dim_product;
UPDATE doliflow.settings s SET value = v.value
  FROM (VALUES ('forecast_history_days', '364'), ('lead_time_default_days', '7'), ('service_level', '0.95'),
			   ('stock_review_days', '7'), ('forecast_level_days', '56')) v(name, value)
 WHERE s.name = v.name;
INSERT INTO dw.dim_product (product_key, ref, label, product_type, to_sell, to_buy, price, pmp, alert_stock, desired_stock,
							supplier_lead_time_days, supplier_packaging, supplier_prices, stock_total)
VALUES (9101, 'A', 'steady, then a peak', 0, true, true, 20, 10, 4, 10, 3, 5, 1, 0),
	   (9102, 'B', 'Dolibarr thresholds', 0, true, true, 8, 4, 5, 12, 2, NULL, 1, 0),
	   (9103, 'C', 'alternating history', 0, true, true, 2, 1, NULL, NULL, 4, NULL, 1, 0);
INSERT INTO dw.fact_stock (movement_key, moved_at, date_key, product_key, warehouse_key, movement_type, quantity)
VALUES (1, '2023-01-01 08:00', 20230101, 9101, 1, 0, 7), (2, '2023-01-01 08:00', 20230101, 9102, 1, 0, 6),
	   (3, '2023-01-01 08:00', 20230101, 9103, 1, 0, 12);
INSERT INTO dw.fact_sales_daily (product_key, date_key, day, demand_qty, demand_movements, demand_value, invoiced_qty, revenue_ht)
SELECT h.p, to_char(h.day, 'YYYYMMDD')::int, h.day, h.q, 1, 0, 0, 0
  FROM (SELECT 9101 AS p, d::date AS day, 2 AS q FROM generate_series('2023-06-05'::date, '2024-06-02', '1 day') d
		 UNION ALL
		SELECT 9103, d::date, CASE WHEN (d::date - '2024-04-08'::date) % 2 = 0 THEN 1 ELSE 3 END
		  FROM generate_series('2024-04-08'::date, '2024-06-02', '1 day') d
		 UNION ALL
		SELECT w.p, '2024-06-02'::date + w.i, w.q
		  FROM (VALUES (9101, 1, 2), (9101, 2, 2), (9101, 3, 6), (9101, 4, 2), (9101, 6, 2), (9101, 7, 2),
					   (9102, 1, 3), (9102, 2, 3), (9102, 3, 3), (9102, 4, 3), (9102, 5, 3), (9102, 6, 3), (9102, 7, 3),
					   (9103, 1, 2), (9103, 2, 2), (9103, 3, 2), (9103, 4, 4), (9103, 5, 2), (9103, 6, 2), (9103, 7, 2)) w(p, i, q)) h;

CREATE TEMP TABLE hand (policy text, backorder boolean, fk_product int, demand numeric, served numeric,
						cycles int, cycles_ok int, stockout_days int, avg_stock numeric, avg_stock_value numeric,
						peak_stock_value numeric, orders int, qty_ordered numeric, value_ordered numeric) ON COMMIT DROP;
INSERT INTO hand VALUES
	('doliflow', false, 9101, 16, 11, 1, 0, 2, 62 / 7.0, 620 / 7.0, 150, 1, 15, 150),
	('naive',    false, 9101, 16, 11, 1, 0, 2, 62 / 7.0, 620 / 7.0, 150, 1, 15, 150),
	('doliflow', true,  9101, 16, 11, 1, 0, 2, 42 / 7.0, 420 / 7.0, 100, 1, 15, 150),
	('dolibarr', false, 9101, 16, 11, 1, 0, 2, 32 / 7.0, 320 / 7.0, 100, 1, 10, 100),
	('dolibarr', false, 9102, 21, 15, 2, 0, 2, 30 / 7.0, 120 / 7.0, 36, 2, 18, 72),
	('naive',    false, 9103, 16, 16, 1, 1, 0, 68 / 7.0, 68 / 7.0, 16, 1, 16, 16),
	('doliflow_lt', false, 9101, 16, 11, 1, 0, 2, 62 / 7.0, 620 / 7.0, 150, 1, 15, 150),
	('doliflow_lt', false, 9103, 16, 12, 1, 0, 2, 42 / 7.0, 42 / 7.0, 16, 1, 16, 16),
	('dolibarr', false, 9103, 16, 12, 0, 0, 2, 26 / 7.0, 26 / 7.0, 10, 0, 0, 0),
	('dolibarr', false, NULL, 53, 38, 3, 0, 6, 88 / 7.0, 466 / 7.0, 112, 3, 28, 172);
CREATE TEMP TABLE sim ON COMMIT DROP AS
SELECT false AS backorder, s.* FROM doliflow.simulate_replenishment('2024-06-03', '2024-06-09') s
 UNION ALL
SELECT true, s.* FROM doliflow.simulate_replenishment('2024-06-03', '2024-06-09', 'doliflow', NULL, '{9101}', true) s;

-- every hand-computed row is found, with the same figures (rounded as the function rounds)
SELECT h.policy, h.backorder, h.fk_product,
	   s.fk_product IS NOT NULL OR (s.policy IS NOT NULL AND h.fk_product IS NULL) AS found,
	   s.demand = h.demand AND s.served = h.served AS demand_served,
	   s.fill_rate IS NOT DISTINCT FROM round(h.served / nullif(h.demand, 0), 4) AS fill_rate,
	   s.cycles = h.cycles AND s.cycles_ok = h.cycles_ok
		 AND s.cycle_service_level IS NOT DISTINCT FROM round(h.cycles_ok::numeric / nullif(h.cycles, 0), 4) AS cycle_service,
	   s.stockout_days = h.stockout_days AS stockout_days,
	   s.avg_stock = round(h.avg_stock, 3) AND s.avg_stock_value = round(h.avg_stock_value, 2)
		 AND s.peak_stock_value = h.peak_stock_value AS stock,
	   s.orders = h.orders AND s.qty_ordered = h.qty_ordered AND s.value_ordered = h.value_ordered AS ordered
  FROM hand h
  LEFT JOIN sim s ON s.policy = h.policy AND s.backorder = h.backorder AND s.fk_product IS NOT DISTINCT FROM h.fk_product
 ORDER BY 1, 2, 3;
-- the figures themselves, for the record
SELECT policy, fk_product, lead_time_days, demand, served, fill_rate, cycles, cycle_service_level, stockout_days,
	   avg_stock, avg_stock_value, peak_stock_value, orders, qty_ordered, value_ordered
  FROM sim WHERE NOT backorder ORDER BY policy, fk_product NULLS FIRST;
-- doliflow on C, with Q = ceil(12 + X), X = the safety stock the pages would use
-- on 2024-06-02 (doliflow.safety_stocks, the same function as the simulator's)
SELECT ss.method, ss.risk_days, ss.errors > 100 AS many_errors, ss.safety_stock > 0 AS positive,
	   s.qty_ordered = ceil(12 + ss.safety_stock) AS order_up_to, s.orders, s.served, s.stockout_days,
	   s.cycles, s.cycles_ok, s.avg_stock = round((20 + 3 * s.qty_ordered) / 7.0, 3) AS avg_stock,
	   s.peak_stock_value = s.qty_ordered AS peak
  FROM doliflow.safety_stocks('2024-06-02', '{9103}') ss
  JOIN sim s ON s.policy = 'doliflow' AND NOT s.backorder AND s.fk_product = ss.fk_product;
CREATE TEMP TABLE ss_before ON COMMIT DROP AS SELECT * FROM doliflow.safety_stocks('2024-06-02', '{9101, 9102, 9103}');
-- A: 172 errors, all 0 (the dates above); B has no history: its errors are its
-- demand over the 9 days (2 + 7) after each day, all 0 (no demand before 06-03)
SELECT fk_product, lead_time_days, risk_days, errors, method, safety_stock
  FROM doliflow.safety_stocks('2024-06-02', '{9101, 9102}') ORDER BY 1;
-- the same models as doliflow._baseline_model (the back-test fits them in one pass)
SELECT count(*) AS models, bool_and(abs(e.level - b.level) < 1e-9 AND abs(e.sigma - b.sigma) < 1e-9
		 AND (SELECT bool_and(abs(x - y) < 1e-9) FROM unnest(e.dow_factor, b.dow_factor) u(x, y))) AS same
  FROM doliflow._lead_time_errors('2024-06-02', 3, 14, '{9101, 9102, 9103}') e
  JOIN LATERAL doliflow._baseline_model(e.origin, ARRAY[e.fk_product], false) b ON true;
-- the quantile by hand: 19 errors 1..19 at 0.95 -> k = ceil(20 x 0.95) = 19th -> 19;
-- at 0.9 -> 18th = 18; 18 errors at 0.95 (k 19 > 18): z x sigma x sqrt(risk)
-- = 1.6449 x 2 x 3 = 9.8691; negative errors only -> 0; no error -> normal.
SELECT doliflow.safety_stock_empirical(array(SELECT generate_series(1, 19)::float8), 0.95, 2, 9) AS q95,
	   doliflow.safety_stock_empirical(array(SELECT generate_series(1, 19)::float8), 0.9, 2, 9) AS q90,
	   round(doliflow.safety_stock_empirical(array(SELECT generate_series(1, 18)::float8), 0.95, 2, 9), 4) AS too_few,
	   doliflow.safety_stock_empirical(array(SELECT -generate_series(1, 30)::float8), 0.95, 2, 9) AS never_negative,
	   round(doliflow.safety_stock_empirical(NULL, 0.95, 2, 9), 4) AS no_errors,
	   doliflow.safety_stock_empirical('{1, NaN, Infinity, 3}', 0.5, 0, 1) AS finite_only;
-- the service level given is reported and drives the safety stock: C at 0.5
-- has no safety stock (reorder point 8): d1 10, d2 8, d3 6 (< 8: order
-- ceil(22 - 6) = 16, due end of d7), d4 2, d5 0, d6 and d7 short.
SELECT service_level, served, stockout_days, orders, qty_ordered
  FROM doliflow.simulate_replenishment('2024-06-03', '2024-06-09', 'naive', 0.5, '{9103}') WHERE fk_product = 9103;

-- ABC/XYZ over 14 days (two weeks: 06-03..06-09 and 05-27..06-02):
--   A 16 + 14 = 30 units x 10 = 300, weekly mean 15, sd 1, cv 0.067 -> X
--   B 21 + 0 = 21 x 4 = 84, mean 10.5, sd 10.5, cv 1 -> Y (at most 1.0)
--   C 16 + (3+1+3+1+3+1+3 = 15) = 31 x 1 = 31, mean 15.5, sd 0.5, cv 0.032 -> X
--   total 415: A 72.289 % (ranked before it: 0 -> A), B 20.241 % (before it
--   72.289 % < 80 -> A), C 7.470 % (before 92.530 % < 95 -> B); with 70 / 90:
--   A, B (72.289 >= 70), C (92.530 >= 90).
UPDATE doliflow.settings SET value = '14' WHERE name = 'abc_xyz_days';
SELECT v.fk_product, v.weeks, v.demand_qty = h.qty AND v.demand_value = h.value AS demand,
	   v.value_share_pct = h.share AND v.cumulative_share_pct = h.cum AS shares,
	   v.abc_class = h.abc AS abc, v.weekly_mean = h.mean AND v.weekly_cv = h.cv AS variability,
	   v.xyz_class = h.xyz AS xyz, v.abc_class || v.xyz_class AS class
  FROM dw.v_product_abc_xyz v
  JOIN (VALUES (9101, 30, 300, round(30000 / 415.0, 3), round(30000 / 415.0, 3), 'A', 15, round(1 / 15.0, 3), 'X'),
			   (9102, 21, 84, round(8400 / 415.0, 3), round(38400 / 415.0, 3), 'A', 10.5, 1, 'Y'),
			   (9103, 31, 31, round(3100 / 415.0, 3), 100, 'B', 15.5, round(0.5 / 15.5, 3), 'X'))
	   h(p, qty, value, share, cum, abc, mean, cv, xyz) ON h.p = v.fk_product
 ORDER BY 1;
UPDATE doliflow.settings SET value = '70' WHERE name = 'abc_a_share_pct';
UPDATE doliflow.settings SET value = '90' WHERE name = 'abc_b_share_pct';
SELECT string_agg(fk_product || ' ' || abc_class, ', ' ORDER BY fk_product) AS abc_at_70_90 FROM dw.v_product_abc_xyz;
-- Never the future: a huge demand on the days after the period changes no figure
-- (no forecast or decision of the period may have seen it).
INSERT INTO dw.fact_sales_daily (product_key, date_key, day, demand_qty, demand_movements, demand_value, invoiced_qty, revenue_ht)
VALUES (9101, 20240610, '2024-06-10', 500, 1, 0, 0, 0), (9103, 20240611, '2024-06-11', 500, 1, 0, 0, 0);
SELECT count(*) AS rows_changed_by_later_demand
  FROM (SELECT * FROM doliflow.simulate_replenishment('2024-06-03', '2024-06-09')
		EXCEPT SELECT policy, service_level, fk_product, lead_time_days, days, demand, served, fill_rate, cycles, cycles_ok,
					  cycle_service_level, stockout_days, avg_stock, avg_stock_value, peak_stock_value, orders,
					  qty_ordered, value_ordered FROM sim WHERE NOT backorder) x;
-- nor the errors the safety stocks are taken over (only those known on the decision day)
SELECT count(*) AS safety_stocks_changed_by_later_demand
  FROM (SELECT * FROM doliflow.safety_stocks('2024-06-02', '{9101, 9102, 9103}') EXCEPT SELECT * FROM ss_before) x;
-- Each refit's own model: E (lead 1, no packaging, 100 in stock) sold 2 a day for a
-- year, then 10 a day over two weeks 06-03 .. 06-16.  Review d1 (06-03): refit
-- 06-02, level 2, no error -> up to 2 x 8 = 16 < position 90: no order.  Review d8
-- (06-10, position 100 - 80 = 20): refit 06-09, whose level has seen a week of 10s
-- (higher than 2), its weekday factors and safety stock (0: few of the errors
-- known by 06-09 saw the step, all above the 0.95 quantile) -> one order of
-- ceil(level x weekday factors over the 8 days after 06-10 + safety stock - 20),
-- due end of d9: 100 of the first 10 days' demand served, then that order.
-- (0.3.0 development gave every refit k the level of refit ceil(k / 7): here 2.)
INSERT INTO dw.dim_product (product_key, ref, label, product_type, to_sell, to_buy, price, pmp, alert_stock, desired_stock,
							supplier_lead_time_days, supplier_packaging, supplier_prices, stock_total)
VALUES (9105, 'E', 'a demand step', 0, true, true, 2, 1, NULL, NULL, 1, NULL, 1, 0);
INSERT INTO dw.fact_stock (movement_key, moved_at, date_key, product_key, warehouse_key, movement_type, quantity)
VALUES (7, '2023-01-01 08:00', 20230101, 9105, 1, 0, 100);
INSERT INTO dw.fact_sales_daily (product_key, date_key, day, demand_qty, demand_movements, demand_value, invoiced_qty, revenue_ht)
SELECT 9105, to_char(d, 'YYYYMMDD')::int, d::date, CASE WHEN d < '2024-06-03' THEN 2 ELSE 10 END, 1, 0, 0, 0
  FROM generate_series('2023-06-05'::date, '2024-06-16', '1 day') d;
SELECT e.level > 2 AS level_rose, round(ss.safety_stock, 4) AS safety_stock,
	   s.orders, s.qty_ordered = ceil(greatest(e.level, 0) * doliflow._weekday_sum(e.dow_factor, 1, 8) + ss.safety_stock - 20)
		 AS order_up_to_refit_2,
	   s.demand, s.served, s.stockout_days
  FROM doliflow.simulate_replenishment('2024-06-03', '2024-06-16', 'doliflow', NULL, '{9105}') s
  JOIN doliflow._lead_time_errors('2024-06-09', 1, 7, '{9105}') e ON e.fk_product = s.fk_product
  JOIN doliflow.safety_stocks('2024-06-09', '{9105}') ss ON ss.fk_product = s.fk_product;

-- Real lead times: D 9104, pmp 1, planned lead 2, no packaging, alert 5, desired 9,
-- stock 6 on the morning of d1 (1 at opening + a reception of 5), demand 2 every day.
-- Its supplier orders (doliflow._stock_lead_times): 7001 ordered 2024-05-16, received
-- 2024-05-20 (lead 4); 7002 ordered 2024-06-03, received 2024-06-04 (d2: lead 1, known
-- from d2 on only).  An order placed on day d arrives after one of the real lead times
-- received in d - 363 .. d, numbered by reception day: number
-- _lead_time_draw(9104, d, count) = bits 16-31 of (9104 x 1000003 + days since
-- 2000-01-01) x 2654435761 mod 2^32, mod count:
--   2024-06-06 (8923 days): 9104036235 x 2654435761 mod 2^32 = 124802075, >> 16 = 1904, mod 2 = 0
--   2024-06-08 (8925 days): 9104036237 x 2654435761 mod 2^32 = 1138706301, >> 16 = 17375, mod 2 = 1
-- dolibarr on D: d1 4 (< 5: order 9 - 4 = 5; known on 06-03: only 7001 -> lead 4,
--   due end of d5)  d2 2 (pos 7)  d3 0 (pos 5, not < 5)  d4 lost  d5 lost, +5 = 5
--   d6 3 (< 5: order 6; known on 06-08: 7001, 7002, draw 1 = 7002 -> lead 1, due end
--   of d7)  d7 1 + 6 = 7 -> served 10 of 14, stock-out days 2 (d4, d5); cycles d2..d5
--   (short) and d6..d7 (not): 1/2; average (4+2+0+0+5+3+7)/7 = 3, peak 7, 2 orders of
--   11 units (value 11).  (With the planned lead 2 the first order would have arrived
--   at the end of d3: 13 served, below.)
INSERT INTO dw.dim_product (product_key, ref, label, product_type, to_sell, to_buy, price, pmp, alert_stock, desired_stock,
							supplier_lead_time_days, supplier_packaging, supplier_prices, stock_total)
VALUES (9104, 'D', 'real lead times', 0, true, true, 2, 1, 5, 9, 2, NULL, 1, 0);
INSERT INTO dw.fact_stock (movement_key, moved_at, date_key, product_key, warehouse_key, movement_type, quantity, origin_type, origin_id)
VALUES (4, '2023-01-01 08:00', 20230101, 9104, 1, 0, 1, NULL, NULL),
	   (5, '2024-05-20 07:40', 20240520, 9104, 1, 3, 5, 'order_supplier', 7001),
	   (6, '2024-06-04 07:40', 20240604, 9104, 1, 3, 5, 'order_supplier', 7002);
INSERT INTO dw.fact_sales_daily (product_key, date_key, day, demand_qty, demand_movements, demand_value, invoiced_qty, revenue_ht)
SELECT 9104, to_char(d, 'YYYYMMDD')::int, d::date, 2, 1, 0, 0, 0 FROM generate_series('2024-06-03'::date, '2024-06-09', '1 day') d;
INSERT INTO lake.llx_commande_fournisseur (rowid, ref, fk_statut, date_commande, _batch, _extracted_at, _hash)
VALUES (7001, 'CF7001', 5, '2024-05-16', 1, now(), md5('7001')::uuid), (7002, 'CF7002', 5, '2024-06-03', 1, now(), md5('7002')::uuid);
SELECT doliflow._lake_rebuild_current('llx_commande_fournisseur') AS current_rows;
SELECT fk_product, fk_order, ordered_on, received_on, lead_days FROM doliflow._stock_lead_times WHERE fk_product = 9104 ORDER BY fk_order;
SELECT doliflow._lead_time_draw(9104, '2024-06-06', 2) AS draw_0606, doliflow._lead_time_draw(9104, '2024-06-08', 2) AS draw_0608,
	   doliflow._lead_time_draw(9104, '2024-06-08', 1) AS one, doliflow._lead_time_draw(9104, '2024-06-08', 0) AS none;
SELECT s.demand = 14 AND s.served = 10 AS demand_served, s.stockout_days = 2 AS stockout_days,
	   s.cycles = 2 AND s.cycles_ok = 1 AS cycle_service, s.avg_stock = 3 AND s.avg_stock_value = 3 AND s.peak_stock_value = 7 AS stock,
	   s.orders = 2 AND s.qty_ordered = 11 AND s.value_ordered = 11 AS ordered, s.lead_time_days
  FROM doliflow.simulate_replenishment('2024-06-03', '2024-06-09', 'dolibarr', NULL, '{9104}') s WHERE s.fk_product = 9104;
-- the same replay by _simulate_product with the planned lead time (no real one):
-- d1 4, order 5 due end of d3: d2 2, d3 0 + 5 = 5, d4 3 (< 5: order 6, due end of d6),
-- d5 1, d6 0 (1 served, 1 lost) + 6 = 6, d7 4 (< 5: order 5, due after the period)
-- -> served 13 of 14, 1 stock-out day, 3 orders of 16; cycles d2..d3 (not short) and
-- d4..d6 (short): 1/2
SELECT served, stockout_days, orders, qty_ordered, cycles, cycles_ok
  FROM doliflow._simulate_product('dolibarr', '{2,2,2,2,2,2,2}', 6, 2, 7, NULL, 1, 5, 9, 1, 7, NULL, NULL, NULL, false);
-- and with the lead times given per order day (day 0: 4, day 5: 1): as simulate_replenishment
SELECT served, stockout_days, orders, qty_ordered, cycles, cycles_ok
  FROM doliflow._simulate_product('dolibarr', '{2,2,2,2,2,2,2}', 6, 2, 7, NULL, 1, 5, 9, 1, 7, NULL, NULL, NULL, false, '{4,NULL,NULL,NULL,NULL,1,NULL}');

ROLLBACK;

-- Arguments
SELECT doliflow.safety_stock_empirical('{1}', 1.5, 2, 9);
SELECT * FROM doliflow.safety_stocks(NULL);
SELECT * FROM doliflow.safety_stocks('2024-06-02', NULL, 0.3);
SELECT * FROM doliflow.simulate_replenishment('2024-06-09', '2024-06-03');
SELECT * FROM doliflow.simulate_replenishment(NULL, '2024-06-03');
SELECT * FROM doliflow.simulate_replenishment('2024-06-03', '2024-06-09', 'odoo');
SELECT * FROM doliflow.simulate_replenishment('2024-06-03', '2024-06-09', 'all', 0.3);
SELECT * FROM doliflow.simulate_replenishment('2024-06-03', '2024-06-09', 'all', 'NaN');
SELECT * FROM doliflow.simulate_replenishment('2024-06-03', '2024-06-09', 'all', NULL, '{9101, 42}');
SELECT * FROM doliflow.simulate_replenishment('2024-06-03', '2024-06-09', 'all', NULL, NULL, false, 0);
SELECT * FROM doliflow.simulate_replenishment('2024-06-03', 'infinity');
-- the ABC/XYZ settings have domains
UPDATE doliflow.settings SET value = '101' WHERE name = 'abc_a_share_pct';
UPDATE doliflow.settings SET value = '6' WHERE name = 'abc_xyz_days';
