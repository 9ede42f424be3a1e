# doliflow: PGXS build.  Everything is wildcard-driven so that adding a C
# file, an install-script part, a regression suite or an isolation spec never
# requires editing this file.

EXTENSION = doliflow
EXTVERSION = $(shell sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $(EXTENSION).control)

include doliflow-only.mk
# doliflow's own C; the analytics library (everything else in src/) is built by analytics/.
MODULE_big = doliflow
OBJS = $(patsubst %.c,%.o,$(DOLIFLOW_ONLY_SRCS))

# The install script is assembled from ordered parts; upgrade scripts are
# shipped as they are.
SQL_PARTS = $(sort $(wildcard extension/[0-9][0-9]_*.sql))
DATA_built = $(EXTENSION)--$(EXTVERSION).sql
DATA = $(wildcard extension/upgrade/$(EXTENSION)--*--*.sql)

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=mysql_fdw --load-extension=doliflow_analytics --load-extension=$(EXTENSION)
ISOLATION = $(patsubst specs/%.spec,%,$(sort $(wildcard specs/*.spec)))
ISOLATION_OPTS = --inputdir=. --load-extension=mysql_fdw --load-extension=doliflow_analytics --load-extension=$(EXTENSION)

GSL_CFLAGS := $(shell gsl-config --cflags)
GSL_LIBS := $(shell gsl-config --libs)
PG_CPPFLAGS = -Isrc $(GSL_CFLAGS) -DDOLIFLOW_VERSION=\"$(EXTVERSION)\"
SHLIB_LINK = $(GSL_LIBS)
# Strict but portable: no -march=native, no fast-math.
PG_CFLAGS = -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare

EXTRA_CLEAN = $(EXTENSION)--$(EXTVERSION).sql results output_iso regression.diffs regression.out

# upgrade scripts: each directory extension/upgrade/A--B/ holds NN_*.sql
# fragments, concatenated in name order into doliflow--A--B.sql (installed).
# (before the PGXS include, which reads DATA_built for `all`)
UPGRADE_DIRS = $(sort $(patsubst %/,%,$(dir $(wildcard extension/upgrade/*--*/[0-9][0-9]_*.sql))))
UPGRADE_SCRIPTS = $(foreach d,$(UPGRADE_DIRS),$(EXTENSION)--$(notdir $(d)).sql)
DATA_built += $(UPGRADE_SCRIPTS)
EXTRA_CLEAN += $(UPGRADE_SCRIPTS)
define UPGRADE_RULE
$(UPGRADE_SCRIPTS): $(EXTENSION)--%.sql: $(wildcard extension/upgrade/*/[0-9][0-9]_*.sql)
	cat $$(sort $$(wildcard extension/upgrade/$$*/[0-9][0-9]_*.sql)) > $$@
endef
# end upgrade scripts (the rule is evaluated after the PGXS include)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PARTS) $(EXTENSION).control
	cat $(SQL_PARTS) > $@

# The analytics library is an extension of its own (analytics/); doliflow requires it.
# REGRESS/ISOLATION given to this make are doliflow's: analytics gets ANALYTICS_REGRESS.
ANALYTICS_REGRESS ?= $(patsubst analytics/sql/%.sql,%,$(sort $(wildcard analytics/sql/*.sql)))
.PHONY: analytics-all analytics-install analytics-installcheck analytics-clean
all: analytics-all
install: analytics-install
installcheck: analytics-installcheck
clean: analytics-clean
analytics-all:
	$(MAKE) -C analytics all
analytics-install:
	$(MAKE) -C analytics install
analytics-installcheck:
	$(if $(strip $(ANALYTICS_REGRESS)),$(MAKE) -C analytics installcheck REGRESS="$(ANALYTICS_REGRESS)" ISOLATION=)
analytics-clean:
	$(MAKE) -C analytics clean

# Pure C cores: every src/*.c that is not SQL glue.  They build and test
# without a server.
CORE_SRCS = $(filter-out src/pg_%.c src/doliflow.c,$(sort $(wildcard src/*.c)))

.PHONY: unit bench fuzz test demo

unit:
	$(MAKE) -C test/unit CORE_SRCS="$(addprefix $(CURDIR)/,$(CORE_SRCS))"

test:
	test/run

demo:
	test/demo

bench:
	test/bench/run

fuzz:
	test/fuzz/run

# upgrade scripts: the rule defined above
$(eval $(UPGRADE_RULE))
