#!/usr/bin/env bash
# The regression suite against an UndefinedBehaviorSanitizer build of the
# extension (gcc -fsanitize=undefined, no recovery: any UB aborts the
# backend), in a separate private tree and server; fails on any UBSan report
# or crash in that server's log.
set -u
. "$(dirname "$0")/../lib.sh"
U="$TEST_TMP/ubsan"
rm -rf "$U"; mkdir -p "$U/src"; chmod 755 "$U"
# A copy of the sources, so that the sanitized build never mixes with the normal one.
(cd "$DF_ROOT" && tar --exclude=./results --exclude=./output_iso --exclude='*.o' --exclude='*.so' --exclude='*.bc' \
	--exclude=./test/fuzz/corpus -cf - .) | tar -xf - -C "$U/src"
flags="-fsanitize=undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
build() { make -C "$U/src" -s with_llvm=no PG_CFLAGS="-Wno-unused-parameter $flags" SHLIB_LINK="$(gsl-config --libs) -lubsan" "$@"; }
build clean >/dev/null 2>&1
build >"$U/build.log" 2>&1; ok $? "UBSan build"
nm -D "$U/src/doliflow.so" 2>/dev/null | grep -q __ubsan_handle; ok $? "the library is instrumented"
df_make_pgroot "$U/root" && build install DESTDIR="$U/root" >/dev/null 2>&1 && chmod -R a+rX "$U"
ok $? "installed into its own private tree"
port=$(df_free_port 55600)
ubsan_lib=$(gcc -print-file-name=libubsan.so)
df_pg_start "$U/pg" "$port" "$U/root/usr/lib/postgresql/$DF_PG_MAJOR/bin" >"$U/start.log" 2>&1
ok $? "sanitized server starts"
trap 'df_pg_stop "$U/pg"' EXIT
suites=$(cd "$U/src" && ls sql/*.sql | sed 's|sql/||; s|\.sql$||' | tr '\n' ' ')
out=$(cd "$U/src" && PGHOST=127.0.0.1 PGPORT=$port UBSAN_OPTIONS=print_stacktrace=1 \
	make -s with_llvm=no installcheck REGRESS="$suites" ISOLATION= 2>&1); rc=$?
echo "$out" | grep -E '\.\.\. ' | sed 's/^/# /'
is "$rc" 0 "pg_regress passes on the UBSan build"
[ $rc -ne 0 ] && [ -f "$U/src/regression.diffs" ] && head -40 "$U/src/regression.diffs" | sed 's/^/# /'
reports=$(grep -E 'runtime error:|terminated by signal|UndefinedBehaviorSanitizer' "$U/pg/server.log" | head -5)
is "$reports" "" "no UBSan report or crash in the server log"
done_testing
