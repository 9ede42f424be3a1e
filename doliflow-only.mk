# The C files of the doliflow extension proper (connector, MySQL dates, source guard, build info,
# the 0.1.0 entry points forwarded to doliflow_analytics, the lead-time back-test of the stock module).
# Every other src/*.c belongs to the doliflow_analytics library (analytics/Makefile).
DOLIFLOW_ONLY_SRCS = src/doliflow.c src/pg_mysqldate.c src/mysqldate.c src/pg_source_guard.c \
	src/pg_compat_0_1_0.c src/lead_time_errors.c src/pg_lead_time_errors.c
