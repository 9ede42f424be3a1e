# test/lib.sh: shared shell helpers for the test runner, the demo, the
# benchmarks and the integration scripts.  Source it; it defines functions
# and a few variables and has no side effects of its own.
#
# Servers are throwaway: each lives in its own directory under a run
# directory, listens on 127.0.0.1 on a free port, and is stopped by the pid
# it wrote.  A run directory records the pid of the process that owns it, so
# a later run can reap servers that a killed run left behind.

DF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The read-only shared/ data (TABLES.md, M4, car parts) sits beside the checkout; a
# clone made elsewhere (CI clones into a temporary directory) finds it beside the
# local repository it was cloned from.
df_find_shared() {
	local origin
	[ -d "$DF_ROOT/../shared" ] && { (cd "$DF_ROOT/../shared" && pwd); return; }
	origin=$(git -C "$DF_ROOT" remote get-url origin 2>/dev/null) || return 0
	case $origin in file://*) origin=${origin#file://} ;; /*) ;; *) return 0 ;; esac
	[ -d "$origin/../shared" ] && (cd "$origin/../shared" && pwd)
	return 0
}
: "${DOLIFLOW_SHARED:=$(df_find_shared)}"
export DOLIFLOW_SHARED
DF_PG_MAJOR=15
DF_PG_SYSBIN=/usr/lib/postgresql/$DF_PG_MAJOR/bin
DF_PACKAGES="make gcc libc6-dev postgresql-$DF_PG_MAJOR postgresql-server-dev-$DF_PG_MAJOR
 postgresql-$DF_PG_MAJOR-mysql-fdw postgresql-$DF_PG_MAJOR-cron libgsl-dev mariadb-server
 mariadb-client iproute2 procps"
# What the tests need beyond that (test/run installs them; the demo does not):
# a real browser for the HTML report (test/integration/75_report_browser.sh).
DF_TEST_PACKAGES="chromium python3"

df_log() { printf '%s doliflow: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
df_die() { df_log "error: $*"; exit 1; }

# Run a command as root: directly when we are root, else through sudo.
df_as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Install the Debian packages that are missing (nothing when all are there).
# Extra package names can be passed as arguments.
df_install_packages() {
	local missing="" p
	for p in $DF_PACKAGES "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	df_log "installing Debian packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	df_as_root apt-get update -qq >/dev/null || df_die "apt-get update failed"
	# Services must not start system-wide clusters: the tests start their own.
	df_as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null \
		|| df_die "apt-get install failed for:$missing"
}

# A TCP port on 127.0.0.1 that nothing listens on, starting from $1.
df_free_port() {
	local p=${1:-40000} tries=0
	while [ $tries -lt 500 ]; do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			if ! ss -Htln 2>/dev/null | awk '{print $4}' | grep -q ":$p\$"; then
				echo "$p"; return 0
			fi
		fi
		p=$((p + 1)); tries=$((tries + 1))
	done
	df_die "no free port from $1"
}

# The MariaDB client honours MYSQL_HOST/MYSQL_TCP_PORT/MYSQL_PWD from the
# environment and would then ignore -S; root talks through the socket only.
df_my_root() {	# df_my_root SOCKET [mariadb args...]
	local sock=$1; shift
	env -u MYSQL_HOST -u MYSQL_TCP_PORT -u MYSQL_PWD mariadb --no-defaults -S "$sock" -u root "$@"
}

df_pid_alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# Stop the servers of run directories whose owner process is gone (a run that
# was killed), then remove those directories.
df_reap_stale() {
	local d owner
	for d in /tmp/doliflow-run.*; do
		[ -d "$d" ] || continue
		owner=$(cat "$d/owner.pid" 2>/dev/null)
		df_pid_alive "$owner" && continue
		df_log "reaping servers of a dead run in $d"
		df_pg_stop "$d/pg"
		df_my_stop "$d/mysql"
		# Anything else the dead run left behind (an initdb, a loader).
		pkill -KILL -f -- "$d/" 2>/dev/null
		sleep 0.2
		rm -rf "$d"
	done
}

# Create a run directory owned by this shell.
df_run_dir() {
	local d
	d=$(mktemp -d /tmp/doliflow-run.XXXXXX)
	chmod 755 "$d"
	echo $$ > "$d/owner.pid"
	echo "$d"
}

# A private copy of the PostgreSQL tree under $1, so that `make install
# DESTDIR=$1` affects nobody else.  The server finds its share and lib
# directories relative to its own binary, so the binaries are copied (links
# would be resolved back to /usr) while libraries and share files are linked.
df_make_pgroot() {
	local root=$1 sub f
	mkdir -p "$root/usr/lib/postgresql/$DF_PG_MAJOR" "$root/usr/share/postgresql"
	cp -a "$DF_PG_SYSBIN" "$root/usr/lib/postgresql/$DF_PG_MAJOR/bin"
	mkdir -p "$root/usr/lib/postgresql/$DF_PG_MAJOR/lib"
	for f in /usr/lib/postgresql/$DF_PG_MAJOR/lib/*; do
		ln -s "$f" "$root/usr/lib/postgresql/$DF_PG_MAJOR/lib/"
	done
	mkdir -p "$root/usr/share/postgresql/$DF_PG_MAJOR"
	for sub in /usr/share/postgresql/$DF_PG_MAJOR/*; do
		if [ -d "$sub" ]; then
			mkdir -p "$root/usr/share/postgresql/$DF_PG_MAJOR/$(basename "$sub")"
			for f in "$sub"/*; do ln -s "$f" "$root/usr/share/postgresql/$DF_PG_MAJOR/$(basename "$sub")/"; done
		else
			ln -s "$sub" "$root/usr/share/postgresql/$DF_PG_MAJOR/"
		fi
	done
	# The private lib dir holds links; replace the extension's files by real
	# ones at install time (make install overwrites the links).
	rm -f "$root/usr/lib/postgresql/$DF_PG_MAJOR/lib/doliflow.so" \
		"$root"/usr/share/postgresql/$DF_PG_MAJOR/extension/doliflow*
	chmod -R a+rX "$root"
}

# df_pg_start DIR PORT BINDIR: initdb and start a server in DIR (as the
# postgres user when we are root).  Writes DIR/port.
df_pg_start() {
	local dir=$1 port=$2 bin=${3:-$DF_PG_SYSBIN} run=()
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$dir"
		run=(runuser -u postgres --)
	fi
	# Throwaway test servers trust loopback; with DF_PG_PASSWORD set (the demo), TCP
	# connections need that password (scram-sha-256, in DIR/pgpass for PGPASSFILE)
	# and the socket only lets the postgres OS user in (peer).
	local auth=(-A trust)
	if [ -n "${DF_PG_PASSWORD:-}" ]; then
		printf '%s\n' "$DF_PG_PASSWORD" >"$dir/pwfile"
		printf '127.0.0.1:%s:*:postgres:%s\n' "$port" "$DF_PG_PASSWORD" >"$dir/pgpass"
		chmod 600 "$dir/pwfile" "$dir/pgpass"
		[ "$(id -u)" -eq 0 ] && chown postgres: "$dir/pwfile"
		auth=(--auth-host=scram-sha-256 --auth-local=peer --pwfile="$dir/pwfile")
	fi
	"${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres "${auth[@]}" -E UTF8 --locale=C.UTF-8 \
		>"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
	rm -f "$dir/pwfile"
	cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.use_background_workers = on
max_worker_processes = 24
max_parallel_workers = 8
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
log_line_prefix = '%m [%p] %d '
timezone = 'UTC'
EOF
	echo "$port" >"$dir/port"
	"${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
		|| { tail -20 "$dir/server.log" >&2; return 1; }
}

# Stop the server of DIR by the pid in its postmaster.pid.
df_pg_stop() {
	local dir=$1 pid i
	[ -f "$dir/data/postmaster.pid" ] || return 0
	pid=$(head -1 "$dir/data/postmaster.pid")
	df_pid_alive "$pid" || return 0
	kill -INT "$pid" 2>/dev/null
	for i in $(seq 1 100); do df_pid_alive "$pid" || return 0; sleep 0.1; done
	kill -QUIT "$pid" 2>/dev/null; sleep 1
	df_pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
	return 0
}

# df_my_start DIR PORT: a throwaway MariaDB in DIR listening on 127.0.0.1:PORT
# and on DIR/mysql.sock.  Root connects through the socket without password;
# two accounts are created for the tests with random passwords, which are
# written to DIR/env (never to the project's files):
#   dolibarr_admin  all privileges (fixtures, source changes, KILL)
#   doliflow_reader SELECT only (what doliflow.connect() is given)
# df_my_launch DIR PORT: start mariadbd on the data directory DIR/data (a first start
# and every restart after a kill use these same options) and wait until it answers.
df_my_launch() {
	local dir=$1 port=$2 i
	# A private tmpdir: mysql_fdw's cursors make MariaDB spill result sets into
	# temporary tables there, and a shared /tmp is at the mercy of other jobs.
	mkdir -p "$dir/tmp"
	mariadbd --no-defaults --datadir="$dir/data" --socket="$dir/mysql.sock" --port="$port" \
		--tmpdir="$dir/tmp" \
		--bind-address=127.0.0.1 --pid-file="$dir/mysqld.pid" --log-error="$dir/error.log" \
		--user="$(id -un)" --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
		--innodb-flush-log-at-trx-commit=0 --innodb-buffer-pool-size=512M --skip-log-bin \
		--local-infile=1 --max-connections=200 >/dev/null 2>&1 &
	echo $! >"$dir/mysqld.launcher.pid"
	for i in $(seq 1 300); do
		[ -S "$dir/mysql.sock" ] && df_my_root "$dir/mysql.sock" -e 'SELECT 1' >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	tail -20 "$dir/error.log" >&2
	return 1
}

# df_my_start_second DIR LOG: a MariaDB of a test's own (df_my_start in DIR), on a free
# port, retried on another one if a concurrent run takes it first; prints the port.
df_my_start_second() {
	local dir=$1 log=$2 try port
	for try in 1 2 3; do
		port=$(df_free_port $((34000 + RANDOM % 4000)))
		rm -rf "$dir"
		if df_my_start "$dir" "$port" >"$log" 2>&1; then echo "$port"; return 0; fi
		df_my_stop "$dir"
	done
	tail -20 "$log" "$dir/error.log" 2>/dev/null | sed 's/^/# /' >&2
	return 1
}

df_my_start() {
	local dir=$1 port=$2 i
	mkdir -p "$dir"
	mariadb-install-db --no-defaults --datadir="$dir/data" --auth-root-authentication-method=socket \
		--user="$(id -un)" --skip-test-db >"$dir/install.log" 2>&1 \
		|| { cat "$dir/install.log" >&2; return 1; }
	df_my_launch "$dir" "$port" || return 1
	local admin_pw reader_pw
	admin_pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
	reader_pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
	df_my_root "$dir/mysql.sock" <<EOF || return 1
CREATE USER 'dolibarr_admin'@'%' IDENTIFIED BY '$admin_pw';
GRANT ALL PRIVILEGES ON *.* TO 'dolibarr_admin'@'%' WITH GRANT OPTION;
CREATE USER 'doliflow_reader'@'%' IDENTIFIED BY '$reader_pw';
GRANT SELECT ON *.* TO 'doliflow_reader'@'%';
FLUSH PRIVILEGES;
EOF
	cat >"$dir/env" <<EOF
MYSQL_HOST=127.0.0.1
MYSQL_PORT=$port
MYSQL_SOCKET=$dir/mysql.sock
MYSQL_USER=dolibarr_admin
MYSQL_PWD=$admin_pw
DOLIFLOW_SOURCE_USER=doliflow_reader
DOLIFLOW_SOURCE_PASSWORD=$reader_pw
EOF
	chmod 600 "$dir/env"
}

df_my_stop() {
	local dir=$1 pid i
	pid=$(cat "$dir/mysqld.pid" 2>/dev/null)
	df_pid_alive "$pid" || pid=$(cat "$dir/mysqld.launcher.pid" 2>/dev/null)
	df_pid_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 150); do df_pid_alive "$pid" || return 0; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null
	return 0
}

# df_start_servers RUN PGBIN: start PostgreSQL in RUN/pg and MariaDB in
# RUN/mysql.  Concurrent runs may race for the same free port, so each start
# is retried on another random port.
df_start_servers() {
	local run=$1 bin=$2 i
	for i in 1 2 3 4 5; do
		rm -rf "$run/pg"
		df_pg_start "$run/pg" "$(df_free_port $((42000 + RANDOM % 8000)))" "$bin" && break
		df_pg_stop "$run/pg"
		[ $i -eq 5 ] && { df_log "PostgreSQL did not start"; return 1; }
	done
	for i in 1 2 3 4 5; do
		rm -rf "$run/mysql"
		df_my_start "$run/mysql" "$(df_free_port $((30000 + RANDOM % 8000)))" && break
		df_my_stop "$run/mysql"
		[ $i -eq 5 ] && { df_log "MariaDB did not start"; return 1; }
	done
	return 0
}

# Export the connection environment of a run directory's servers.
df_export_env() {
	local run=$1
	set -a
	# shellcheck disable=SC1091
	. "$run/mysql/env"
	set +a
	export PGHOST=127.0.0.1 PGPORT PGUSER=postgres
	PGPORT=$(cat "$run/pg/port")
	export DOLIFLOW_RUN_DIR=$run
}

# Build with the server's PGXS; never JIT bitcode (clang is not required).
df_build() {
	make -C "$DF_ROOT" -s with_llvm=no "$@"
}

# Build and install the extension into a private tree (see df_make_pgroot).
df_install_private() {
	local root=$1
	df_build >/dev/null || return 1
	make -C "$DF_ROOT" -s with_llvm=no install DESTDIR="$root" >/dev/null || return 1
	chmod -R a+rX "$root"
}

######################################################################
# Helpers for integration scripts (TAP output)
######################################################################

TAP_N=0
TAP_FAILED=0

ok() {		# ok CONDITION-EXIT-STATUS DESCRIPTION  (use: cmd; ok $? "text")
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

is() {		# is GOT EXPECTED DESCRIPTION
	TAP_N=$((TAP_N + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $TAP_N - $3"
	else
		echo "not ok $TAP_N - $3"
		printf '#   got:      %s\n#   expected: %s\n' "$1" "$2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

diag() { printf '# %s\n' "$*"; }

done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
	exit $?
}

# q DB SQL...: run SQL in database DB, unaligned, tuples only; fails on error.
q() {
	local db=$1; shift
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" -c "$*"
}

# myq DB SQL: run SQL on the MariaDB source as dolibarr_admin.
myq() {
	local db=$1; shift
	mariadb --no-defaults -h "$MYSQL_HOST" -P "$MYSQL_PORT" -u "$MYSQL_USER" -p"$MYSQL_PWD" \
		--batch --skip-column-names --default-character-set=utf8mb4 "$db" -e "$*"
}

# df_lake_drift DB: the lake tables whose _current table differs from the latest
# live version of each key in the history (empty when every one is in step).
df_lake_drift() {
	local out
	out=$(q "$1" "DO \$\$
DECLARE t record; n bigint; bad text := '';
BEGIN
	FOR t IN SELECT st.table_name, st.key_column,
					(SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
					  WHERE a.attrelid = ('lake.' || st.table_name || '_current')::regclass AND a.attnum > 0 AND NOT a.attisdropped) AS cols
			   FROM doliflow.source_table st ORDER BY st.table_name LOOP
		EXECUTE format('SELECT count(*) FROM ((SELECT %3\$s FROM (SELECT DISTINCT ON (%2\$I) * FROM lake.%1\$I ORDER BY %2\$I, _batch DESC, _deleted DESC) v WHERE NOT _deleted
			 EXCEPT ALL SELECT %3\$s FROM lake.%4\$I) UNION ALL
			(SELECT %3\$s FROM lake.%4\$I EXCEPT ALL
			 SELECT %3\$s FROM (SELECT DISTINCT ON (%2\$I) * FROM lake.%1\$I ORDER BY %2\$I, _batch DESC, _deleted DESC) v WHERE NOT _deleted)) d',
			t.table_name, t.key_column, t.cols, t.table_name || '_current') INTO n;
		IF n > 0 THEN bad := bad || t.table_name || ' '; END IF;
	END LOOP;
	RAISE NOTICE 'drift:%', bad;
END \$\$" 2>&1) || { printf 'check failed: %s' "$out"; return 1; }
	printf '%s' "$out" | sed -n 's/^NOTICE:  drift://p' | sed 's/ *$//'
}

# df_new_pgdb NAME: a fresh PostgreSQL database with doliflow installed.
df_new_pgdb() {
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null 2>&1
	psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$1\"" >/dev/null &&
		psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "CREATE EXTENSION doliflow CASCADE" >/dev/null
}

# df_new_source NAME SCALE SEED [END-DATE]: a generated Dolibarr database NAME
# (and NAME_truth) on the test MariaDB.
df_new_source() {
	local name=$1 scale=$2 seed=$3 end=${4:-}
	env -u MYSQL_HOST -u MYSQL_TCP_PORT -u MYSQL_PWD \
		"$DF_ROOT/test/generator/load.sh" --socket "$MYSQL_SOCKET" --user root --db "$name" \
		--scale "$scale" --seed "$seed" ${end:+--end-date "$end"} >/dev/null
}

# df_connect PGDB SOURCEDB: point doliflow in PGDB at SOURCEDB with the
# read-only account.
df_connect() {
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" \
		-v host="$MYSQL_HOST" -v port="$MYSQL_PORT" -v db="$2" \
		-v user="$DOLIFLOW_SOURCE_USER" -v pw="$DOLIFLOW_SOURCE_PASSWORD" >/dev/null <<'EOF'
SELECT doliflow.connect(:'host', :'port'::int, :'db', :'user', :'pw');
EOF
}
