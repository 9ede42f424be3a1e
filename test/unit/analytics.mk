# Unit tests of the analytics cores (robust, iforest, kmeans, duration_model).
#   make -C test/unit -f analytics.mk check            (all four)
#   make -C test/unit -f analytics.mk check TESTS=test_robust
# Each test links only the cores it needs, with GSL flags from gsl-config.
SRC      := ../../src
CC       ?= cc
CFLAGS   ?= -O2 -g
ANA_CFLAGS := -std=c99 -D_DEFAULT_SOURCE -Wall -Wextra -pedantic -I$(SRC) $(shell gsl-config --cflags)
ANA_LIBS   := $(shell gsl-config --libs)
OUT      ?= build

TESTS ?= test_robust test_iforest test_kmeans test_duration_model

deps_test_robust          := ana_common robust
deps_test_iforest         := ana_common iforest
deps_test_kmeans          := ana_common robust kmeans
deps_test_duration_model  := ana_common duration_model

.PHONY: all check clean
all: $(addprefix $(OUT)/,$(TESTS))

$(OUT):
	mkdir -p $@

.SECONDEXPANSION:
$(OUT)/%: %.c ana_tap.h $$(foreach d,$$(deps_$$*),$(SRC)/$$(d).c $(SRC)/$$(d).h) | $(OUT)
	$(CC) $(ANA_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(foreach d,$(deps_$*),$(SRC)/$(d).c) $(ANA_LIBS)

check: all
	@fail=0; for t in $(TESTS); do echo "# $$t"; ./$(OUT)/$$t || fail=1; done; exit $$fail

clean:
	rm -rf $(OUT)
