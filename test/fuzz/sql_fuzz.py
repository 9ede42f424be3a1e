#!/usr/bin/env python3
"""SQL fuzzer for the C functions of doliflow (python3 standard library + psql).

    test/fuzz/sql_fuzz.py --db DB --calls N [--seed S] [--server-log FILE]

Discovers every C function (and every aggregate whose transition function is
C) in schema doliflow with its argument types, calls each with edge values
(NULL, NaN, +-Infinity, 0, -1, huge, empty and huge arrays, random bytea,
random jsonb, random text for the input function of custom types) and random
values, in batches through psql.  Errors are expected; a crash is not: the
backend must survive every call (psql keeps its connection) and the server
log must not report a process terminated by a signal.  Prints the counts and
exits 1 on any crash.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys

EDGE_FLOAT = ["NULL", "'NaN'", "'Infinity'", "'-Infinity'", "0", "-0.0", "-1", "1", "1e308", "-1e308",
              "1e-308", "5e-324", "0.5", "0.95", "1e15", "-1e15"]
EDGE_INT = ["NULL", "0", "-1", "1", "2", "7", "2147483647", "-2147483648"]
EDGE_BIGINT = EDGE_INT + ["9223372036854775807", "-9223372036854775808"]
EDGE_SMALLINT = ["NULL", "0", "-1", "1", "32767", "-32768"]
EDGE_DATE = ["NULL", "'infinity'", "'-infinity'", "'2024-02-29'", "'4713-01-01 BC'", "'5874897-12-31'", "'2000-01-01'"]
EDGE_TEXT = ["NULL", "''", "'Paris'", "'maintenance'", "'repair'", "repeat('x', 100000)", "E'\\\\x00'", "'é漢字'", "'{}'", "'[]'"]
KEYS = ["intervention_type", "estimated_duration", "city", "technician", "customer", "type", "cost", "horizon",
        "level", "alpha", "beta", "gamma", "phi", "period", "k", "n", "lead_time", "values", "y", "x"]


class Gen:
    def __init__(self, rnd):
        self.r = rnd

    def rfloat(self):
        c = self.r.random()
        if c < 0.3:
            return self.r.choice(EDGE_FLOAT)
        if c < 0.6:
            return repr(self.r.uniform(-1e6, 1e6))
        return repr(self.r.gauss(0, 10) * 10 ** self.r.randint(-20, 20))

    def rint(self, edges):
        if self.r.random() < 0.4:
            return self.r.choice(edges)
        return str(self.r.randint(-1000, 100000))

    def rtext(self):
        if self.r.random() < 0.5:
            return self.r.choice(EDGE_TEXT)
        s = "".join(self.r.choice("abcdefghijklmnopqrstuvwxyz0123456789 {}[]:,.-'\"\\éÀ") for _ in range(self.r.randint(0, 40)))
        return "'" + s.replace("'", "''") + "'"

    def rbytea(self):
        c = self.r.random()
        if c < 0.1:
            return "NULL"
        if c < 0.2:
            return "''::bytea"
        n = self.r.choice([1, 2, 4, 8, 16, 24, 32, 48, 64, 100, 256, 1024, 4096])
        b = bytes(self.r.getrandbits(8) for _ in range(n))
        if self.r.random() < 0.5:
            # plausible headers: small counts and versions in the first words
            hdr = bytes([self.r.choice([0, 1, 2, 0xff]) for _ in range(min(16, n))])
            b = hdr + b[len(hdr):]
        return "'\\x" + b.hex() + "'::bytea"

    def rjson_value(self, depth=0):
        c = self.r.random()
        if depth > 3 or c < 0.4:
            return self.r.choice([None, True, False, 0, -1, 1e308, -1e308, 4.2, "", "Paris", "maintenance",
                                  "NaN", "Infinity", self.r.uniform(-1e9, 1e9), self.r.randint(-10**12, 10**12)])
        if c < 0.7:
            return {self.r.choice(KEYS): self.rjson_value(depth + 1) for _ in range(self.r.randint(0, 6))}
        return [self.rjson_value(depth + 1) for _ in range(self.r.randint(0, 8))]

    def rjsonb(self):
        if self.r.random() < 0.1:
            return "NULL"
        return "'" + json.dumps(self.rjson_value()).replace("'", "''") + "'::jsonb"

    def rarray(self, elem, cast):
        c = self.r.random()
        if c < 0.08:
            return "NULL::" + cast
        if c < 0.16:
            return "'{}'::" + cast
        if c < 0.22:
            return "ARRAY[NULL]::" + cast
        if c < 0.27 and elem == "float8":
            n = self.r.choice([10000, 100000, 1000000])
            return "(SELECT array_agg(random() * 100) FROM generate_series(1, %d))::%s" % (n, cast)
        if c < 0.32 and elem == "float8":
            return "array_fill(%s::float8, ARRAY[%d])" % (self.r.choice(["0", "1", "'NaN'", "'Infinity'"]), self.r.choice([1, 2, 7, 365, 5000]))
        n = self.r.randint(1, 30)
        vals = [self.value(elem) for _ in range(n)]
        return "ARRAY[%s]::%s" % (", ".join(vals), cast)

    def value(self, typ):
        t = typ
        if t.endswith("[]"):
            base = t[:-2]
            return self.rarray(base, t)
        if t in ("double precision", "float8", "real", "float4", "numeric"):
            return "(%s)::%s" % (self.rfloat(), t)
        if t in ("integer", "int4"):
            return "(%s)::integer" % self.rint(EDGE_INT)
        if t in ("bigint", "int8"):
            return "(%s)::bigint" % self.rint(EDGE_BIGINT)
        if t in ("smallint", "int2"):
            return "(%s)::smallint" % self.rint(EDGE_SMALLINT)
        if t == "boolean":
            return self.r.choice(["NULL", "true", "false"])
        if t == "date":
            if self.r.random() < 0.5:
                return "(%s)::date" % self.r.choice(EDGE_DATE)
            return "(date '2020-01-01' + %d)" % self.r.randint(-100000, 100000)
        if t.startswith("timestamp"):
            return "(%s)::%s" % (self.r.choice(EDGE_DATE), t)
        if t == "interval":
            return self.r.choice(["NULL", "'0'::interval", "'-1 day'::interval", "'1 day'::interval", "'178000000 years'::interval"])
        if t in ("text", "character varying", "name", "cstring"):
            return "(%s)::%s" % (self.rtext(), "text" if t == "cstring" else t)
        if t == "bytea":
            return self.rbytea()
        if t in ("jsonb", "json"):
            return self.rjsonb() + ("::json" if t == "json" else "")
        # a custom type: its input function gets random text, or its binary
        # form random bytes through a bytea cast when one exists
        return "(%s)::%s" % (self.rtext(), t)


def psql(db, sql, extra=()):
    return subprocess.run(["psql", "-X", "-q", "-A", "-t", "-d", db] + list(extra), input=sql,
                          capture_output=True, text=True)


def discover(db):
    q = r"""
SELECT p.oid::regprocedure, p.proname, p.prokind,
       coalesce((SELECT string_agg(format_type(t, NULL), '|' ORDER BY o)
                   FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY a(t, o)), '')
  FROM pg_proc p
  LEFT JOIN pg_aggregate ag ON ag.aggfnoid = p.oid
  LEFT JOIN pg_proc tf ON tf.oid = ag.aggtransfn
 WHERE p.pronamespace = 'doliflow'::regnamespace
   AND ((p.prokind = 'f' AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c'))
        OR (p.prokind = 'a' AND tf.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')))
 ORDER BY 1"""
    r = psql(db, q, ["-v", "ON_ERROR_STOP=1", "-F", "\t"])
    if r.returncode != 0:
        sys.exit("discovery failed: " + r.stderr)
    funcs = []
    for line in r.stdout.splitlines():
        sig, name, kind, args = line.split("\t")
        types = [a for a in args.split("|") if a]
        if any(t in ("internal", "anyelement", "anyarray", "anynonarray", "anycompatible", "record", "trigger", "void")
               or t.startswith("any") for t in types):
            continue
        funcs.append((sig, name, kind, types))
    return funcs


def call(gen, f):
    sig, name, kind, types = f
    qname = "doliflow." + name
    if kind == "a":
        # aggregate over 0..300 random rows of its argument types
        n = gen.r.choice([0, 1, 2, 3, 10, 300])
        cols = ", ".join("%s AS c%d" % (gen.value(t), i) for i, t in enumerate(types))
        args = ", ".join("c%d" % i for i in range(len(types)))
        rows = " UNION ALL ".join("SELECT %s" % cols for _ in range(max(n, 1)))
        where = " WHERE false" if n == 0 else ""
        return "SELECT %s(%s) IS NULL FROM (%s) s%s;" % (qname, args, rows, where)
    args = ", ".join(gen.value(t) for t in types)
    return "SELECT %s(%s) IS NULL;" % (qname, args)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--calls", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--batch", type=int, default=250)
    ap.add_argument("--server-log", default=None)
    ap.add_argument("--save", default=None, help="directory for the batches that crashed")
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.SystemRandom().randint(0, 2**31)
    rnd = random.Random(seed)
    gen = Gen(rnd)
    funcs = discover(a.db)
    print("# seed %d, %d C functions/aggregates: %s" % (seed, len(funcs), ", ".join(f[0] for f in funcs)))
    if not funcs:
        print("# nothing to fuzz")
        return 0
    log_start = os.path.getsize(a.server_log) if a.server_log and os.path.exists(a.server_log) else 0
    done = errors = crashes = 0
    states = {}
    while done < a.calls:
        n = min(a.batch, a.calls - done)
        stmts = [call(gen, rnd.choice(funcs)) for _ in range(n)]
        script = "SET statement_timeout = '10s';\nSET client_min_messages = error;\n" + "\n".join(stmts) + "\nSELECT 'fuzz-batch-done';\n"
        r = psql(a.db, script, ["-a"])
        done += n
        errors += len(re.findall(r"^(?:psql:[^:]*:\d+: )?ERROR:", r.stderr, re.M))
        for m in re.findall(r"ERROR:\s+([^\n]{0,60})", r.stderr):
            key = re.sub(r"\d+|\"[^\"]*\"", "#", m)[:50]
            states[key] = states.get(key, 0) + 1
        if "fuzz-batch-done" not in r.stdout:
            crashes += 1
            echoed = [l for l in r.stdout.splitlines() if l.startswith("SELECT doliflow.")]
            culprit = echoed[-1] if echoed else "?"
            print("# CRASH (connection lost) at: %s" % culprit[:300])
            print("# psql: %s" % r.stderr.strip().splitlines()[-1][:200] if r.stderr.strip() else "# psql: no message")
            if a.save:
                os.makedirs(a.save, exist_ok=True)
                with open(os.path.join(a.save, "crash-%d.sql" % crashes), "w") as fh:
                    fh.write(script)
            # let the postmaster finish crash recovery
            for _ in range(60):
                if psql(a.db, "SELECT 1;").returncode == 0:
                    break
                import time
                time.sleep(1)
    signals = 0
    if a.server_log and os.path.exists(a.server_log):
        with open(a.server_log, errors="replace") as fh:
            fh.seek(log_start)
            for line in fh:
                if re.search(r"terminated by signal|was terminated by exception|PANIC", line):
                    signals += 1
                    print("# server log: " + line.strip()[:200])
    alive = psql(a.db, "SELECT 1;").returncode == 0
    print("# calls %d, errors %d (expected: bad input is rejected), crashes %d, signals in server log %d, server alive %s"
          % (done, errors, crashes, signals, alive))
    for k, v in sorted(states.items(), key=lambda kv: -kv[1])[:8]:
        print("#   %6d  %s" % (v, k))
    return 0 if crashes == 0 and signals == 0 and alive else 1


if __name__ == "__main__":
    sys.exit(main())
