/*
 * pg_source_guard.c
 *		The source guard: what makes a hung Dolibarr source cancellable,
 *		gives mysql_fdw connections their timeouts and an option file, raises
 *		errors that keep their statement out of the server log, and tells the
 *		pipeline lock whether a backend is still alive.
 *
 * mysql_fdw 2.8 blocks in poll() on the MySQL socket and retries on EINTR,
 * so neither statement_timeout nor pg_cancel_backend() can end a read from a
 * frozen source, and it sets no connect or read timeout.  Two mechanisms fix
 * that, both armed by doliflow before each source access
 * (doliflow._source_guard_arm):
 *
 *	 1. Signal wrappers around the backend's SIGINT, SIGALRM and SIGTERM
 *		handlers.  PostgreSQL's own handler runs first; when it has set
 *		QueryCancelPending or ProcDiePending, every socket of this process
 *		connected to the armed source address is shut down (fds scanned with
 *		getpeername(), shutdown() -- both async-signal-safe).  The blocked
 *		read then fails at once, mysql_fdw reports the lost connection (and
 *		reconnects on the next use) and PostgreSQL raises the cancel.
 *
 *	 2. A wrapper around mysql_fdw's pointer to mysql_real_connect() (mysql_fdw
 *		loads the client library with dlopen and exports the pointers): for a
 *		connection to the armed host, port and account it sets
 *		MYSQL_OPT_CONNECT_TIMEOUT, MYSQL_OPT_READ_TIMEOUT and
 *		MYSQL_OPT_WRITE_TIMEOUT from doliflow's settings, and, when the user
 *		mapping holds no password, MYSQL_READ_DEFAULT_FILE (a my.cnf-style
 *		file with a [client] password=... line), so that the password need
 *		never appear in SQL text.
 *
 * Copyright (C) 2026 the doliflow authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "postgres.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netinet/in.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "libpq/pqsignal.h"
#include "pgstat.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#ifndef RTLD_DEFAULT
#define RTLD_DEFAULT ((void *) 0)
#endif

/*
 * The MySQL C API, as far as it is used here.  The handle is opaque; the
 * option numbers are those of enum mysql_option, fixed by the client
 * library's ABI (MariaDB Connector/C and libmysqlclient agree on these).
 */
typedef struct st_mysql MYSQL_HANDLE;
typedef MYSQL_HANDLE *(*real_connect_fn) (MYSQL_HANDLE *mysql, const char *host,
										  const char *user, const char *passwd,
										  const char *db, unsigned int port,
										  const char *unix_socket,
										  unsigned long clientflag);
typedef int (*options_fn) (MYSQL_HANDLE *mysql, int option, const void *arg);

#define DF_MYSQL_OPT_CONNECT_TIMEOUT	0
#define DF_MYSQL_READ_DEFAULT_FILE		4
#define DF_MYSQL_OPT_READ_TIMEOUT		11
#define DF_MYSQL_OPT_WRITE_TIMEOUT		12

#define GUARD_MAX_ADDRS 8
#define GUARD_MAX_FD	65536

/* Armed source (read by the signal handlers: plain data, set with signals blocked). */
static struct sockaddr_storage guard_addrs[GUARD_MAX_ADDRS];
static volatile sig_atomic_t guard_naddrs = 0;
static int	guard_maxfd = 1024;

/* Connection settings applied by the connect wrapper. */
static char guard_host[256];
static char guard_user[256];
static unsigned int guard_port = 0;
static unsigned int guard_connect_timeout = 0;
static unsigned int guard_read_timeout = 0;
static char guard_option_file[1024];

static pqsigfunc prev_sigint = NULL;
static pqsigfunc prev_sigalrm = NULL;
static pqsigfunc prev_sigterm = NULL;
static bool guard_signals_installed = false;

static real_connect_fn orig_real_connect = NULL;
static real_connect_fn *fdw_real_connect_ptr = NULL;
static options_fn *fdw_options_ptr = NULL;

static bool
same_peer(const struct sockaddr_storage *peer, const struct sockaddr_storage *want)
{
	if (peer->ss_family != want->ss_family)
		return false;
	if (peer->ss_family == AF_INET)
	{
		const struct sockaddr_in *a = (const struct sockaddr_in *) peer;
		const struct sockaddr_in *b = (const struct sockaddr_in *) want;

		return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	if (peer->ss_family == AF_INET6)
	{
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *) peer;
		const struct sockaddr_in6 *b = (const struct sockaddr_in6 *) want;

		return a->sin6_port == b->sin6_port &&
			memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
	}
	return false;
}

/*
 * Shut down every socket of this process connected to the armed source.
 * Async-signal-safe: getpeername() and shutdown() only, no allocation.
 */
static void
guard_shutdown_sockets(void)
{
	int			n = guard_naddrs;
	int			fd;

	if (n <= 0)
		return;
	for (fd = 0; fd < guard_maxfd; fd++)
	{
		struct sockaddr_storage peer;
		socklen_t	len = sizeof(peer);
		int			i;

		if (getpeername(fd, (struct sockaddr *) &peer, &len) != 0)
			continue;
		for (i = 0; i < n && i < GUARD_MAX_ADDRS; i++)
		{
			if (same_peer(&peer, &guard_addrs[i]))
			{
				shutdown(fd, SHUT_RDWR);
				break;
			}
		}
	}
}

static void
guard_handler(SIGNAL_ARGS)
{
	int			save_errno = errno;
	pqsigfunc	prev;

	prev = postgres_signal_arg == SIGINT ? prev_sigint :
		postgres_signal_arg == SIGALRM ? prev_sigalrm : prev_sigterm;
	if (prev != NULL && prev != SIG_IGN && prev != SIG_DFL)
		prev(postgres_signal_arg);
	if (QueryCancelPending || ProcDiePending)
		guard_shutdown_sockets();
	errno = save_errno;
}

static void
guard_install_signals(void)
{
	pqsigfunc	p;

	if (guard_signals_installed)
		return;
	/* Wrap only handlers PostgreSQL installed (never a default action). */
	p = pqsignal(SIGINT, guard_handler);
	if (p == SIG_IGN || p == SIG_DFL || p == SIG_ERR)
		pqsignal(SIGINT, p);
	else
		prev_sigint = p;
	p = pqsignal(SIGALRM, guard_handler);
	if (p == SIG_IGN || p == SIG_DFL || p == SIG_ERR)
		pqsignal(SIGALRM, p);
	else
		prev_sigalrm = p;
	p = pqsignal(SIGTERM, guard_handler);
	if (p == SIG_IGN || p == SIG_DFL || p == SIG_ERR)
		pqsignal(SIGTERM, p);
	else
		prev_sigterm = p;
	guard_signals_installed = true;
}

/*
 * mysql_real_connect() as mysql_fdw calls it: the armed source's timeouts
 * and option file are set first (only for the armed host, port and account,
 * so no other foreign server ever gets doliflow's option file).
 */
static MYSQL_HANDLE *
guard_real_connect(MYSQL_HANDLE *mysql, const char *host, const char *user,
				   const char *passwd, const char *db, unsigned int port,
				   const char *unix_socket, unsigned long clientflag)
{
	options_fn	opt = fdw_options_ptr ? *fdw_options_ptr : NULL;

	if (opt != NULL && guard_port != 0 && port == guard_port &&
		host != NULL && strcmp(host, guard_host) == 0 &&
		user != NULL && strcmp(user, guard_user) == 0)
	{
		if (guard_connect_timeout > 0)
			opt(mysql, DF_MYSQL_OPT_CONNECT_TIMEOUT, &guard_connect_timeout);
		if (guard_read_timeout > 0)
		{
			opt(mysql, DF_MYSQL_OPT_READ_TIMEOUT, &guard_read_timeout);
			opt(mysql, DF_MYSQL_OPT_WRITE_TIMEOUT, &guard_read_timeout);
		}
		if (passwd == NULL && guard_option_file[0] != '\0')
			opt(mysql, DF_MYSQL_READ_DEFAULT_FILE, guard_option_file);
	}
	return orig_real_connect(mysql, host, user, passwd, db, port, unix_socket, clientflag);
}

static void
guard_hook_connect(void)
{
	if (fdw_real_connect_ptr != NULL)
		return;
	/* mysql_fdw loads its client library in _PG_init: load it first. */
	(void) load_external_function("$libdir/mysql_fdw", "mysql_fdw_handler", true, NULL);
	fdw_real_connect_ptr = (real_connect_fn *) dlsym(RTLD_DEFAULT, "_mysql_real_connect");
	fdw_options_ptr = (options_fn *) dlsym(RTLD_DEFAULT, "_mysql_options");
	if (fdw_real_connect_ptr == NULL || fdw_options_ptr == NULL || *fdw_real_connect_ptr == NULL)
	{
		fdw_real_connect_ptr = NULL;
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("this mysql_fdw build does not expose its client library entry points"),
				 errdetail("doliflow sets the source connect and read timeouts through mysql_fdw's pointer to mysql_real_connect (mysql_fdw 2.8)."),
				 errhint("Install mysql_fdw 2.8 from the PostgreSQL packages.")));
	}
	if (*fdw_real_connect_ptr != guard_real_connect)
	{
		orig_real_connect = *fdw_real_connect_ptr;
		*fdw_real_connect_ptr = guard_real_connect;
	}
}

static void
copy_text_arg(FunctionCallInfo fcinfo, int argno, char *dst, size_t size, const char *what)
{
	char	   *s;

	if (PG_ARGISNULL(argno))
	{
		dst[0] = '\0';
		return;
	}
	s = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	if (strlen(s) >= size)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("doliflow source guard: %s is longer than %d bytes", what, (int) size - 1)));
	strlcpy(dst, s, size);
	pfree(s);
}

/*
 * doliflow._source_guard_arm(host, port, username, connect_timeout,
 *							  read_timeout, option_file)
 */
PG_FUNCTION_INFO_V1(doliflow_source_guard_arm);
Datum
doliflow_source_guard_arm(PG_FUNCTION_ARGS)
{
	char		host[256];
	int32		port;
	int32		ct;
	int32		rt;
	struct addrinfo hints;
	struct addrinfo *res = NULL;
	struct addrinfo *ai;
	struct sockaddr_storage addrs[GUARD_MAX_ADDRS];
	int			n = 0;
	char		portstr[16];
	int			rc;
	sigset_t	block,
				old;
	long		maxfd;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("doliflow source guard: host and port must not be NULL")));
	copy_text_arg(fcinfo, 0, host, sizeof(host), "host");
	port = PG_GETARG_INT32(1);
	ct = PG_ARGISNULL(3) ? 0 : PG_GETARG_INT32(3);
	rt = PG_ARGISNULL(4) ? 0 : PG_GETARG_INT32(4);
	if (port < 1 || port > 65535)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("doliflow source guard: port must be between 1 and 65535, not %d", port)));
	if (ct < 0 || rt < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("doliflow source guard: timeouts must not be negative")));

	guard_hook_connect();
	guard_install_signals();

	/* The addresses the source's name stands for (numeric or resolved). */
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof(portstr), "%d", port);
	rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc == 0)
	{
		for (ai = res; ai != NULL && n < GUARD_MAX_ADDRS; ai = ai->ai_next)
		{
			if (ai->ai_addrlen > sizeof(struct sockaddr_storage))
				continue;
			memset(&addrs[n], 0, sizeof(addrs[n]));
			memcpy(&addrs[n], ai->ai_addr, ai->ai_addrlen);
			n++;
		}
		freeaddrinfo(res);
	}
	/* An unresolvable name: nothing to shut down; the connect will fail anyway. */

	maxfd = sysconf(_SC_OPEN_MAX);
	if (maxfd <= 0 || maxfd > GUARD_MAX_FD)
		maxfd = GUARD_MAX_FD;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGALRM);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	guard_naddrs = 0;
	memcpy(guard_addrs, addrs, sizeof(addrs));
	guard_maxfd = (int) maxfd;
	guard_naddrs = n;
	sigprocmask(SIG_SETMASK, &old, NULL);

	strlcpy(guard_host, host, sizeof(guard_host));
	copy_text_arg(fcinfo, 2, guard_user, sizeof(guard_user), "username");
	guard_port = (unsigned int) port;
	guard_connect_timeout = (unsigned int) ct;
	guard_read_timeout = (unsigned int) rt;
	copy_text_arg(fcinfo, 5, guard_option_file, sizeof(guard_option_file), "option file");

	PG_RETURN_VOID();
}

/*
 * doliflow._source_option_file_check(path): the option file must be an
 * absolute path to a regular file the server can read and nobody but its
 * owner can (as libpq demands of ~/.pgpass).
 */
PG_FUNCTION_INFO_V1(doliflow_source_option_file_check);
Datum
doliflow_source_option_file_check(PG_FUNCTION_ARGS)
{
	char	   *path = text_to_cstring(PG_GETARG_TEXT_PP(0));
	struct stat st;

	if (path[0] != '/')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("doliflow.connect: option_file must be an absolute path, not \"%s\"", path)));
	if (stat(path, &st) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("doliflow.connect: option_file \"%s\" cannot be read by the server: %m", path)));
	if (!S_ISREG(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("doliflow.connect: option_file \"%s\" is not a regular file", path)));
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("doliflow.connect: option_file \"%s\" must not be accessible by group or others (mode %04o)",
						path, (unsigned int) (st.st_mode & 07777)),
				 errhint("chmod 600 the file; it must belong to the operating-system user the PostgreSQL server runs as.")));
	if (access(path, R_OK) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("doliflow.connect: option_file \"%s\" cannot be read by the server: %m", path)));
	pfree(path);
	PG_RETURN_VOID();
}

/*
 * doliflow._raise_hidden(sqlstate, message, detail, hint): raises an ERROR
 * whose STATEMENT and CONTEXT lines stay out of the server log (the
 * statement may hold the source password, the context the text of CREATE
 * USER MAPPING).  The client still receives its context.
 */
PG_FUNCTION_INFO_V1(doliflow_raise_hidden);
Datum
doliflow_raise_hidden(PG_FUNCTION_ARGS)
{
	char	   *state = PG_ARGISNULL(0) ? "XX000" : text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *msg = PG_ARGISNULL(1) ? "doliflow: error" : text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *detail = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	char	   *hint = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	int			code;

	if (strlen(state) != 5 || strspn(state, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 5)
		state = "XX000";
	code = MAKE_SQLSTATE(state[0], state[1], state[2], state[3], state[4]);
	ereport(ERROR,
			(errcode(code),
			 errmsg_internal("%s", msg),
			 (detail && detail[0]) ? errdetail_internal("%s", detail) : 0,
			 (hint && hint[0]) ? errhint("%s", hint) : 0,
			 errhidestmt(true),
			 errhidecontext(true)));
	PG_RETURN_VOID();
}

/*
 * Backend liveness for the pipeline lock.  pg_stat_activity hides
 * backend_start of other roles' sessions from doliflow_owner; these read the
 * backend status array directly and return only a yes/no and this backend's
 * own start.
 */
PG_FUNCTION_INFO_V1(doliflow_backend_start);
Datum
doliflow_backend_start(PG_FUNCTION_ARGS)
{
	PG_RETURN_TIMESTAMPTZ(MyStartTimestamp);
}

PG_FUNCTION_INFO_V1(doliflow_backend_alive);
Datum
doliflow_backend_alive(PG_FUNCTION_ARGS)
{
	int32		pid = PG_GETARG_INT32(0);
	TimestampTz start = PG_GETARG_TIMESTAMPTZ(1);
	int			n;
	int			i;

	if (pid == MyProcPid)
		PG_RETURN_BOOL(start == MyStartTimestamp);
	/* A fresh look, not the snapshot cached for this transaction. */
	pgstat_clear_backend_activity_snapshot();
	n = pgstat_fetch_stat_numbackends();
	for (i = 1; i <= n; i++)
	{
		LocalPgBackendStatus *l = pgstat_fetch_stat_local_beentry(i);

		if (l == NULL)
			continue;
		if (l->backendStatus.st_procpid == pid)
			PG_RETURN_BOOL(l->backendStatus.st_proc_start_timestamp == start);
	}
	PG_RETURN_BOOL(false);
}
