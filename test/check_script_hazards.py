#!/usr/bin/env python3
"""Scan an extension install script for hazards (python3 standard library only).

    test/check_script_hazards.py doliflow--0.2.0.sql [more.sql ...]

Reports, one line each as FILE:LINE: hazard, and exits 1 when any is found:
  * CREATE OR REPLACE of any object: an extension creates its own objects with
    plain CREATE, so that it never silently takes over an object it does not own;
  * a SECURITY DEFINER function or procedure without a pinned SET search_path
    (or with one naming a schema users can write: public, "$user");
  * a routine that COMMITs or ROLLBACKs and has a SET clause (PostgreSQL refuses
    transaction control there at run time: set the path with set_config());
  * unqualified relation names after FROM / JOIN / UPDATE / INSERT INTO /
    DELETE FROM / TRUNCATE inside SECURITY DEFINER bodies (pg_catalog names,
    CTE names and function calls are allowed).
"""
import re
import sys

KEYWORDS = {
    "lateral", "only", "select", "values", "unnest", "generate_series", "jsonb_each",
    "jsonb_array_elements", "json_each", "rows", "table", "the", "a", "an", "this",
    "each", "new", "old", "set", "nowait",   # FOR UPDATE NOWAIT
}


def strip_comments(sql):
    """Blank out -- comments and /* */ comments (keeping line numbers), but not
    inside single-quoted strings or dollar-quoted bodies."""
    out = []
    i, n = 0, len(sql)
    dollar = None
    while i < n:
        c = sql[i]
        if dollar:
            if sql.startswith(dollar, i):
                out.append(dollar)
                i += len(dollar)
                dollar = None
                continue
            if sql.startswith("--", i):
                j = sql.find("\n", i)
                j = n if j < 0 else j
                out.append(" " * (j - i))
                i = j
                continue
            out.append(c)
            i += 1
            continue
        if c == "'":
            j = i + 1
            while j < n:
                if sql[j] == "'" and j + 1 < n and sql[j + 1] == "'":
                    j += 2
                    continue
                if sql[j] == "'":
                    break
                j += 1
            out.append(sql[i:j + 1])
            i = j + 1
            continue
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
            continue
        if sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", sql[i:j]))
            i = j
            continue
        m = re.match(r"\$[A-Za-z_0-9]*\$", sql[i:])
        if m:
            dollar = m.group(0)
            out.append(dollar)
            i += len(dollar)
            continue
        out.append(c)
        i += 1
    return "".join(out)


def routines(sql):
    """Yield (start offset, header text, body text) for each CREATE FUNCTION /
    PROCEDURE statement."""
    for m in re.finditer(r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE)\b", sql, re.I):
        start = m.start()
        # Header runs until the body's opening dollar quote or quote; the body
        # until its closing quote; then the rest of the header until ';'.
        dm = re.compile(r"\bAS\s+(\$[A-Za-z_0-9]*\$)|\bAS\s+'|\bBEGIN\s+ATOMIC\b", re.I).search(sql, m.end())
        if not dm:
            continue
        if dm.group(1):
            tag = dm.group(1)
            body_start = dm.end()
            body_end = sql.find(tag, body_start)
            if body_end < 0:
                continue
            after = body_end + len(tag)
        elif dm.group(0).upper().startswith("AS"):
            body_start = dm.end()
            j = body_start
            while j < len(sql):
                if sql[j] == "'" and j + 1 < len(sql) and sql[j + 1] == "'":
                    j += 2
                    continue
                if sql[j] == "'":
                    break
                j += 1
            body_end = j
            after = j + 1
        else:
            body_start = dm.end()
            body_end = sql.find("\nEND", body_start)
            after = body_end + 4
        semi = sql.find(";", after)
        semi = len(sql) if semi < 0 else semi
        header = sql[start:dm.start()] + " " + sql[after:semi]
        yield start, header, sql[body_start:body_end]


def lineno(sql, pos):
    return sql.count("\n", 0, pos) + 1


def check(path):
    raw = open(path, encoding="utf-8").read()
    sql = strip_comments(raw)
    problems = []
    for m in re.finditer(r"\bCREATE\s+OR\s+REPLACE\s+(\w+(?:\s+\w+)?)", sql, re.I):
        problems.append((lineno(sql, m.start()), "CREATE OR REPLACE %s: an extension creates its objects with plain CREATE" % m.group(1).split()[0].upper()))
    for start, header, body in routines(sql):
        name = re.search(r"(?:FUNCTION|PROCEDURE)\s+([\w.\"]+)", header, re.I)
        name = name.group(1) if name else "?"
        secdef = re.search(r"\bSECURITY\s+DEFINER\b", header, re.I)
        setpath = re.search(r"\bSET\s+search_path\s*(?:=|TO)\s*([^\n]*?)(?=\s+(?:AS|LANGUAGE|SECURITY|STABLE|IMMUTABLE|VOLATILE|STRICT|PARALLEL|COST|ROWS|SET)\b|$)", header, re.I)
        if secdef:
            if not setpath:
                problems.append((lineno(sql, start), "SECURITY DEFINER %s without SET search_path" % name))
            elif re.search(r"\bpublic\b|\$user", setpath.group(1), re.I):
                problems.append((lineno(sql, start), "SECURITY DEFINER %s: search_path names a user-writable schema (%s)" % (name, setpath.group(1).strip())))
            body_off = sql.find(body, start)
            body = re.sub(r"'(?:[^']|'')*'", lambda m: re.sub(r"[^\n]", " ", m.group(0)), body)
            ctes = {c.lower() for c in re.findall(r"(?:\bWITH(?:\s+RECURSIVE)?|,)\s+(\w+)\s+AS\s*(?:NOT\s+)?(?:MATERIALIZED\s+)?\(", body, re.I)}
            for rm in re.finditer(r"\b(?:FROM|JOIN|UPDATE|INSERT\s+INTO|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+(?:ONLY\s+)?([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*[.(])", body, re.I):
                ident = rm.group(1)
                low = ident.lower()
                if re.search(r"\b(DO|OR)\s+$", body[:rm.start()], re.I):
                    continue    # ON CONFLICT DO UPDATE, trigger events
                if low.startswith("pg_") or low in KEYWORDS or low in ctes:
                    continue
                problems.append((lineno(sql, body_off + rm.start()), "SECURITY DEFINER %s: unqualified relation %s" % (name, ident)))
        if re.search(r"\bSET\s+\w+", header, re.I) and re.search(r"^\s*(COMMIT|ROLLBACK)\s*;", body, re.I | re.M):
            problems.append((lineno(sql, start), "%s COMMITs but has a SET clause (use set_config(..., true) inside)" % name))
    return problems


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    found = 0
    for path in argv[1:]:
        for line, msg in sorted(check(path)):
            print("%s:%d: %s" % (path, line, msg))
            found += 1
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
