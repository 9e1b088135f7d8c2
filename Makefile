# Makefile: builds build/omen and runs the tests, sanitizers, benchmarks and the demo.
# Every .c under src/ goes into libomen.a, cli/*.c, server/*.c and report/*.c (the fronts) into the
# binary, tests/unit/*.c into the Criterion test binary; new files need no edit here.

CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr/local
OPT      ?= -O2
WARN     := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla \
            -Wformat=2 -Wcast-qual
CFLAGS   ?=
CFLAGS   += -std=c11 -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 $(OPT) -g $(WARN) $(SANITIZE) \
            $(CFLAGS_EXTRA) -Iinclude -MMD -MP
LDLIBS   := -lsqlite3 -lcjson -lz -lcrypto -lgsl -lgslcblas -lpthread -lm
CFLAGS   += -I/usr/include/postgresql
LDFLAGS  += $(SANITIZE)

# libcurl (omen pull), libpq (omen ingest downloads --pg) and libmicrohttpd (omen serve) are not
# linked: src/pull/pull.c, src/ingest/read_pg.c and server/mhd.c dlopen() them by their SONAMEs
# when their command runs. As NEEDED entries they and theirs (gnutls, nettle, gmp, krb5, ldap,
# sasl, ssh2, ...: 30 libraries) made every start-up pay the dynamic loader: `omen --help` took
# 29 ms task-clock with them, 14 ms without (perf stat -r 30, 2 busy cores). Their -dev packages
# still give the headers.
# glibc 2.34 and later has dlopen in libc; older ones need libdl, which DL_LIBS adds when a test
# link says so.
DL_LIBS  := $(shell printf '\043include <dlfcn.h>\nint main(void) { return !dlopen; }\n' | \
              $(CC) -x c -o /dev/null - 2>/dev/null || echo -ldl)
LDLIBS   += $(DL_LIBS)

# Parquet input through DuckDB's C API (optional). scripts/fetch-duckdb puts libduckdb.so and
# duckdb.h into $(DUCKDB_DIR) (pinned npm packages, checked against their sha512) when npm can
# get them; without them omen still builds and says so when given a Parquet file. DUCKDB=no
# builds without even trying. omen is not linked with libduckdb: src/ingest/read_parquet.c
# dlopen()s it when a Parquet file is read (linked, it and libstdc++ made every start-up slower:
# `omen --help` 57 ms task-clock, 19 ms without), from $ORIGIN/../lib/omen (make install), then
# from the absolute path of $(DUCKDB_DIR)/lib given here, then from the dlopen search path.
DUCKDB     ?= auto
DUCKDB_DIR ?= third_party/duckdb
ifneq ($(DUCKDB),no)
  ifeq ($(filter clean format check-format,$(MAKECMDGOALS)),)
    DUCKDB_FETCHED := $(shell scripts/fetch-duckdb $(DUCKDB_DIR) >&2; echo $$?)
  endif
  ifneq ($(wildcard $(DUCKDB_DIR)/lib/libduckdb.so),)
    HAVE_DUCKDB := 1
  endif
endif
ifdef HAVE_DUCKDB
  CFLAGS += -DOMEN_HAVE_DUCKDB -isystem $(DUCKDB_DIR)/include
$(BUILD)/obj/src/ingest/read_parquet.o: CFLAGS += \
    -DOMEN_DUCKDB_LIB='"$(abspath $(DUCKDB_DIR)/lib/libduckdb.so)"'
endif
DUCKDB_CFG := $(if $(HAVE_DUCKDB),duckdb $(abspath $(DUCKDB_DIR)),none)

LIB_SRC  := $(sort $(wildcard src/*/*.c))
CLI_SRC  := $(sort $(wildcard cli/*.c server/*.c report/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/obj/%.o)
BENCH_SRC := $(sort $(wildcard bench/*.c))

.PHONY: all web test unit asan ubsan bench demo format install clean check-format fuzz fuzz-build \
        fuzz-drivers

all: $(BUILD)/omen web

# web: the dashboard's libraries (pinned in web/package-lock.json, installed into web/node_modules by
# scripts/bootstrap) copied into web/vendor/ (gitignored), again only when the lock is newer than
# web/vendor/.stamp. Without node/npm nothing is copied and the build still succeeds.
WEB_VENDOR := d3/dist/d3.min.js @observablehq/plot/dist/plot.umd.min.js \
              topojson-client/dist/topojson-client.min.js world-atlas/countries-50m.json \
              i18n-iso-countries/codes.json i18n-iso-countries/langs/en.json
web: web/vendor/.stamp

web/vendor/.stamp: web/package-lock.json
	@if [ -d web/node_modules/d3 ]; then \
	    mkdir -p web/vendor/world-atlas web/vendor/i18n-iso-countries && \
	    for f in $(WEB_VENDOR); do \
	        case $$f in world-atlas/*|i18n-iso-countries/*) d=web/vendor/$${f%%/*}/;; *) d=web/vendor/;; esac; \
	        cp web/node_modules/$$f $$d || exit 1; \
	    done && touch $@ && echo "web: copied $(words $(WEB_VENDOR)) files into web/vendor/"; \
	else \
	    echo "web: web/node_modules is missing (scripts/bootstrap runs npm ci): dashboard assets not copied"; \
	fi

$(BUILD)/libomen.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/omen: $(CLI_OBJ) $(BUILD)/libomen.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libomen.a $(LDLIBS)

$(BUILD)/test_unit: $(UNIT_OBJ) $(BUILD)/libomen.a
	$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(BUILD)/libomen.a $(LDLIBS) -lcriterion

# Objects and binaries that depend on whether DuckDB is in the build are redone when that changes.
$(BUILD)/duckdb.cfg: FORCE
	@mkdir -p $(BUILD)
	@if [ "$$(cat $@ 2>/dev/null)" != "$(DUCKDB_CFG)" ]; then echo "$(DUCKDB_CFG)" >$@; fi
$(BUILD)/obj/src/ingest/read_parquet.o $(BUILD)/omen $(BUILD)/test_unit: $(BUILD)/duckdb.cfg
.PHONY: FORCE
FORCE:

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/bench/%: bench/%.c $(BUILD)/libomen.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libomen.a $(LDLIBS) -lcsv

# The whole suite: unit (Criterion), golden CLI, ingest on real data, crash safety, Python
# cross-checks. tests/run prints each suite and ends with one "N passed, N failed" line.
test: $(BUILD)/omen $(BUILD)/test_unit
	@BUILD=$(BUILD) tests/run

# GCC 12's -Wformat-overflow and -Wformat-truncation see the null checks that -fsanitize=undefined
# inserts as possible null pointers and warn of a null destination or format after omen_xmalloc
# (which never returns NULL: error.h says so with returns_nonnull); the plain build keeps them.
SAN_NOWARN := -Wno-format-overflow -Wno-format-truncation

asan:
	$(MAKE) BUILD=build-asan OPT=-O1 SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer $(SAN_NOWARN)" test

ubsan:
	$(MAKE) BUILD=build-ubsan OPT=-O1 SANITIZE="-fsanitize=undefined -fno-sanitize-recover=undefined $(SAN_NOWARN)" test

# Fuzzing: the libFuzzer drivers of tests/fuzz/, built with clang against a libomen.a compiled
# in its own folder with the same sanitizers and libFuzzer's coverage instrumentation
# (-fsanitize=fuzzer-no-link), so that the fuzzer is guided by the library's branches and not
# only the driver's. tests/suites/fuzz.sh (in `make test`) runs each a few seconds on its seed
# corpus; `make fuzz` runs each FUZZ_SECONDS, keeps the corpus it grows in build-fuzz/corpus/
# and puts crashing inputs in tests/fuzz/crashes/. fuzz_parquet needs libduckdb.
FUZZ_BUILD   ?= build-fuzz
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
FUZZ_DRIVERS := $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c)))
ifndef HAVE_DUCKDB
  FUZZ_DRIVERS := $(filter-out fuzz_parquet,$(FUZZ_DRIVERS))
endif

fuzz-build:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) OPT=-O1 \
	    SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer" \
	    CFLAGS_EXTRA=-fsanitize=fuzzer-no-link fuzz-drivers

fuzz-drivers: $(FUZZ_DRIVERS:%=$(BUILD)/fuzz/%)

# fuzz_request tests server code, which is not in libomen.a; fuzz_timestamp compiles events.c
# into itself (for its static parser), which is why the archive's events.o is never pulled in.
# fuzz_request compiles two sources in one command, for which clang refuses -MMD with -o.
$(BUILD)/fuzz/fuzz_request: tests/fuzz/fuzz_request.c server/request.c server/request.h
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -DOMEN_LIBFUZZER -fsanitize=fuzzer -o $@ \
	    $(filter %.c,$^) $(LDLIBS)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(BUILD)/libomen.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libomen.a $(LDLIBS)

fuzz: fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_LONG=1 bash tests/suites/fuzz.sh

bench: $(BUILD)/omen $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
	@BUILD=$(BUILD) bench/run

demo:
	scripts/bootstrap
	$(MAKE) all
	scripts/demo

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

check-format:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

install: $(BUILD)/omen web
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/omen
	install -m 755 $(BUILD)/omen $(DESTDIR)$(PREFIX)/bin/omen
	if [ -d web ] && [ -n "$$(ls -A web)" ]; then \
	    tar -cf - --exclude=web/node_modules --exclude=web/package.json --exclude=web/package-lock.json web \
	    | tar -xf - -C $(DESTDIR)$(PREFIX)/share/omen; fi
	if [ -n "$(HAVE_DUCKDB)" ]; then install -d $(DESTDIR)$(PREFIX)/lib/omen && \
	    install -m 644 $(DUCKDB_DIR)/lib/libduckdb.so $(DESTDIR)$(PREFIX)/lib/omen/; fi

clean:
	rm -rf build build-asan build-ubsan build-fuzz

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(wildcard $(BUILD)/fuzz/*.d)
