#!/usr/bin/env python3
"""Forecast accuracy and speed of doliflow's forecasting core against published
figures and R peers run side by side (make bench calls forecast_accuracy.sh).

  forecast_accuracy.py FC_CLI DATA_DIR WORK_DIR [m4] [carparts] [daily] [dailycov] [peers]

m4       M4 Weekly (359 series, horizon 13): sMAPE and MASE exactly as in
         data/README.md (MASE scaled by the in-sample mean absolute one-step
         difference, m = 1), against the published figures of the M4 paper.
carparts 2,509 monthly car-part series without NA (Hyndman et al. 2008): fit on
         the first 39 months, forecast the last 12 (the protocol of Syntetos
         & Boylan-style studies on this data set: a 12-month holdout);
         MASE (scaled by the in-sample naive one-step MAE, series with a zero
         scale skipped) and scaled MAE (MAE / in-sample mean, series with a
         zero mean skipped); peers R forecast::croston (alpha 0.1) and its SBA.
daily    generated daily demand (deterministic, N series, default 30: trend,
         weekly and yearly seasonality, negative-binomial noise; a fifth are
         intermittent), 3 years (1,095 days) fitted, 28 days held out; MASE
         (scaled by the in-sample lag-7 seasonal-naive MAE) and WAPE (pooled
         sum |e| / sum y); peers R forecast::ets (frequency 7) and R prophet
         (weekly + yearly).  Speed: seconds per series, each side timed per fit
         (R's library load excluded), same machine, one after the other.
dailycov coverage of doliflow's 80% and 95% intervals on generated daily
         demand of seeds the daily part does not use (FC_BENCH_SEEDS, default
         1,2,3,4,5), default and full tier, smooth and intermittent apart.
peers    M1 and Tourism (yearly / quarterly / monthly, the published splits of
         data/README.md) and M4 Weekly: doliflow auto (full tier, told the
         horizon) beside R forecast::ets, thetaf and auto.arima run on the same
         series with the same metric code: sMAPE, MASE (lag = period; M4
         Weekly m = 1 as the official code), coverage of the 80% and 95%
         intervals, MSIS (95%, scaled like MASE; Gneiting & Raftery 2007, the
         M4 definition), per data set and frequency.  By default a fixed
         subset (every k-th series, at most FC_BENCH_PEERS = 60 per data set
         and frequency, the same for every method); FC_BENCH_ALL=1 for all.
Environment: FC_BENCH_SERIES (daily series, default 30), FC_BENCH_SEEDS,
FC_BENCH_PEERS, FC_BENCH_ALL.
"""
import csv
import math
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, stdin_path, out_path):
    with open(stdin_path) as fi, open(out_path, "w") as fo:
        subprocess.run(cmd, stdin=fi, stdout=fo, stderr=subprocess.DEVNULL, check=True)


def read_wide(path, header=True):
    out = {}
    with open(path) as f:
        r = csv.reader(f)
        if header:
            next(r)
        for row in r:
            vals = [v for v in row[1:] if v not in ("", "NA")]
            out[row[0]] = [float(v) for v in vals]
    return out


def read_fc(path):
    """id,method,seconds-or-ms,f... -> {method: {id: (time, [f])}}"""
    res = {}
    with open(path) as f:
        for row in csv.reader(f):
            if len(row) < 4:
                continue
            res.setdefault(row[1], {})[row[0]] = (float(row[2]), [float(v) for v in row[3:]])
    return res


def write_wide(path, series):
    with open(path, "w") as f:
        for sid, v in series.items():
            f.write(sid + "," + ",".join(repr(x) for x in v) + "\n")


def table(title, rows):
    print("\n" + title)
    print("%-44s %12s %12s %10s" % ("figure", "doliflow", "peer", "ratio"))
    for name, ours, peer in rows:
        ratio = ours / peer if (peer and not math.isnan(peer) and peer != 0) else float("nan")
        print("%-44s %12.4g %12.4g %10.3f" % (name, ours, peer, ratio))


# ----------------------------------------------------------------- M4 weekly
def m4(cli, data, work):
    train = read_wide(os.path.join(data, "M4-Weekly-train.csv"))
    test = read_wide(os.path.join(data, "M4-Weekly-test.csv"))

    def score(fc):
        sm = ms = 0.0
        for sid, y in test.items():
            f = fc[sid][1][:len(y)]
            x = train[sid]
            scale = sum(abs(x[i] - x[i - 1]) for i in range(1, len(x))) / (len(x) - 1)
            sm += sum(200 * abs(a - b) / (abs(a) + abs(b)) for a, b in zip(y, f)) / len(y)
            ms += sum(abs(a - b) for a, b in zip(y, f)) / len(y) / scale
        return sm / len(test), ms / len(test)

    res = {}
    # weekly data: the full tier of the automatic choice (fc_fit's default for
    # any period but 7; -T full says so explicitly)
    for label, args in (("auto", ["-T", "full"]), ("ets", ["-E"]), ("theta", ["-m", "theta"]),
                        ("naive", ["-m", "naive"])):
        out = os.path.join(work, "m4_%s.csv" % label)
        t0 = time.time()
        run([cli, "-h", "13", "-p", "1", "-H", "13"] + args,
            os.path.join(data, "M4-Weekly-train.csv"), out)
        el = time.time() - t0
        fc = {sid: v for m in read_fc(out).values() for sid, v in m.items()}
        res[label] = score(fc) + (el / len(test),)
    a, e, t, n = res["auto"], res["ets"], res["theta"], res["naive"]
    print("\nM4 Weekly, 359 series, h = 13 (published figures from data/README.md)")
    print("%-38s %8s %8s %10s" % ("method", "sMAPE", "MASE", "s/series"))
    for name, r in (("doliflow auto_full (holdout choice)", a), ("doliflow ETS (AICc)", e),
                    ("doliflow Theta", t), ("doliflow naive", n)):
        print("%-38s %8.3f %8.3f %10.4f" % (name, r[0], r[1], r[2]))
    for name, s, m in (("Naive2 (published)", 9.161, 2.777), ("SES", 9.012, 2.685),
                       ("Theta", 9.093, 2.637), ("Comb SES+Holt+Damped", 8.944, 2.432),
                       ("Damped", 8.866, 2.404), ("R ets (Nixtla)", float("nan"), 2.53),
                       ("Smyl (M4 winner)", 7.817, 2.356), ("Montero-Manso (2nd)", 7.625, 2.108)):
        print("%-38s %8.3f %8.3f" % (name, s, m))
    table("M4 Weekly: doliflow auto against the reference methods",
          [("sMAPE vs Comb", a[0], 8.944), ("MASE vs Comb", a[1], 2.432),
           ("sMAPE vs Smyl", a[0], 7.817), ("MASE vs Smyl", a[1], 2.356),
           ("MASE vs R ets (published)", a[1], 2.53),
           ("ETS-only sMAPE vs Comb", e[0], 8.944), ("ETS-only MASE vs Comb", e[1], 2.432)])


# ------------------------------------------------------------------ carparts
def carparts(cli, data, work):
    rows = []
    with open(os.path.join(data, "carparts-expsmooth.csv")) as f:
        r = csv.reader(f)
        next(r)
        for row in r:
            if any(v in ("", "NA") for v in row[1:]):
                continue
            rows.append((row[0], [float(v) for v in row[1:]]))
    H = 12
    train = {sid: v[:-H] for sid, v in rows}
    test = {sid: v[-H:] for sid, v in rows}
    tpath = os.path.join(work, "carparts_train.csv")
    write_wide(tpath, train)
    res = {}
    for label, args in (("auto", ["-T", "full"]), ("sba", ["-m", "sba"]), ("croston", ["-m", "croston"]),
                        ("tsb", ["-m", "tsb"])):
        out = os.path.join(work, "cp_%s.csv" % label)
        run([cli, "-h", str(H), "-p", "12"] + args, tpath, out)
        res[label] = {sid: v for m in read_fc(out).values() for sid, v in m.items()}
    rout = os.path.join(work, "cp_r.csv")
    with open(rout, "w") as fo:
        subprocess.run(["Rscript", os.path.join(HERE, "forecast_r.R"), "carparts", tpath, str(H)],
                       stdout=fo, stderr=subprocess.DEVNULL, check=True)
    rr = read_fc(rout)
    res["R_croston"], res["R_sba"] = rr["R_croston"], rr["R_sba"]

    def score(fc):
        mase = smae = 0.0
        km = ks = 0
        for sid, y in test.items():
            x = train[sid]
            f = fc[sid][1][:H]
            mae = sum(abs(a - b) for a, b in zip(y, f)) / H
            sc = sum(abs(x[i] - x[i - 1]) for i in range(1, len(x))) / (len(x) - 1)
            mean = sum(x) / len(x)
            if sc > 0:
                mase += mae / sc
                km += 1
            if mean > 0:
                smae += mae / mean
                ks += 1
        return mase / km, smae / ks, km, ks

    sc = {k: score(v) for k, v in res.items()}
    print("\ncarparts: %d series, fit 39 months, forecast 12; MASE over %d series with a non-zero"
          " scale, scaled MAE over %d with a non-zero mean" % (len(rows), sc["auto"][2], sc["auto"][3]))
    print("%-36s %8s %8s" % ("method", "MASE", "sMAE"))
    for k in ("auto", "sba", "croston", "tsb", "R_sba", "R_croston"):
        print("%-36s %8.4f %8.4f" % (("doliflow " if not k.startswith("R_") else "") + k, sc[k][0], sc[k][1]))
    # interval coverage of doliflow auto (R's croston has no intervals)
    out = os.path.join(work, "cp_auto_pi.csv")
    run([cli, "-h", str(H), "-p", "12", "-T", "full", "-I"], tpath, out)
    pi = {sid: v for m in read_fc_pi(out, H).values() for sid, v in m.items()}
    c80 = c95 = npts = 0
    for sid, y in test.items():
        if sid in pi:
            _, f, l8, h8, l9, h9 = pi[sid]
            c80 += sum(1 for v, lo, u in zip(y, l8, h8) if lo <= v <= u)
            c95 += sum(1 for v, lo, u in zip(y, l9, h9) if lo <= v <= u)
            npts += len(y)
    print("doliflow auto interval coverage over %d points: 80%% -> %.1f%%, 95%% -> %.1f%%" %
          (npts, 100.0 * c80 / max(1, npts), 100.0 * c95 / max(1, npts)))
    table("carparts: doliflow against R forecast::croston (alpha 0.1) and its SBA",
          [("MASE auto vs R SBA", sc["auto"][0], sc["R_sba"][0]),
           ("MASE auto vs R Croston", sc["auto"][0], sc["R_croston"][0]),
           ("MASE SBA vs R SBA (same method)", sc["sba"][0], sc["R_sba"][0]),
           ("sMAE auto vs R SBA", sc["auto"][1], sc["R_sba"][1]),
           ("sMAE SBA vs R SBA (same method)", sc["sba"][1], sc["R_sba"][1])])


# ---------------------------------------------------------- generated daily
def poisson(rng, mu):
    if mu <= 0:
        return 0
    if mu > 30:
        return max(0, int(round(rng.gauss(mu, math.sqrt(mu)))))
    L, k, p = math.exp(-mu), 0, 1.0
    while True:
        p *= rng.random()
        if p <= L:
            return k
        k += 1


def gen_daily(nser, seed=20240601, ndays=1123):
    rng = random.Random(seed)
    out = {}
    for s in range(nser):
        y = []
        if s % 5 == 4:   # intermittent
            p = rng.uniform(0.05, 0.3)
            size = rng.uniform(0.5, 4)
            wk = [rng.uniform(0.5, 1.5) for _ in range(7)]
            for t in range(ndays):
                y.append(1 + poisson(rng, size) if rng.random() < min(1, p * wk[t % 7]) else 0)
        else:
            L = math.exp(rng.uniform(math.log(5), math.log(100)))
            slope = rng.uniform(-0.3, 0.6) / 1095
            a = rng.uniform(0.1, 0.5)
            w = [rng.gauss(0, 1) for _ in range(7)]
            mw = sum(w) / 7
            wk = [max(0.05, 1 + a * (x - mw)) for x in w]
            b = rng.uniform(0, 0.4)
            ph = rng.uniform(0, 2 * math.pi)
            k = rng.uniform(3, 20)
            for t in range(ndays):
                mu = L * max(0.05, 1 + slope * t) * wk[t % 7] * (1 + b * math.sin(2 * math.pi * t / 365.25 + ph))
                lam = rng.gammavariate(k, mu / k)
                y.append(poisson(rng, lam))
        out["D%d" % s] = y
    return out


def daily(cli, data, work):
    nser = int(os.environ.get("FC_BENCH_SERIES", "30"))
    H = 28
    allv = gen_daily(nser)
    train = {k: v[:-H] for k, v in allv.items()}
    test = {k: v[-H:] for k, v in allv.items()}
    tpath = os.path.join(work, "daily_train.csv")
    write_wide(tpath, train)
    res = {}
    # auto = fc_fit's default for daily data (the fast tier: Prophet-style for
    # smooth/erratic, Croston family for intermittent); auto_full = the full
    # holdout choice (ETS, Theta, Prophet, ensembles)
    for label, args in (("auto", []), ("auto_full", ["-T", "full"]), ("ets", ["-E"])):
        out = os.path.join(work, "daily_%s.csv" % label)
        run([cli, "-h", str(H), "-p", "7", "-f", "7671"] + args, tpath, out)
        res[label] = {sid: v for m in read_fc(out).values() for sid, v in m.items()}
        methods = {}
        for m, d in read_fc(out).items():
            methods[m] = len(d)
        res[label + "_mix"] = methods
    rout = os.path.join(work, "daily_r.csv")
    with open(rout, "w") as fo:
        subprocess.run(["Rscript", os.path.join(HERE, "forecast_r.R"), "daily", tpath, str(H)],
                       stdout=fo, stderr=subprocess.DEVNULL, check=True)
    rr = read_fc(rout)
    res["R_ets"], res["R_prophet"] = rr["R_ets"], rr["R_prophet"]

    def score(fc, ms):
        mase = 0.0
        se = sy = 0.0
        tt = 0.0
        for sid, y in test.items():
            x = train[sid]
            f = [max(0.0, v) for v in fc[sid][1][:H]]
            sc = sum(abs(x[i] - x[i - 7]) for i in range(7, len(x))) / (len(x) - 7)
            e = sum(abs(a - b) for a, b in zip(y, f))
            mase += e / H / sc
            se += e
            sy += sum(y)
            tt += fc[sid][0] / (1000.0 if ms else 1.0)
        return mase / len(test), se / sy, tt / len(test)

    sc = {"auto": score(res["auto"], True), "auto_full": score(res["auto_full"], True),
          "ets": score(res["ets"], True),
          "R_ets": score(res["R_ets"], False), "R_prophet": score(res["R_prophet"], False)}
    print("\ngenerated daily demand: %d series x 1,095 days fitted, 28 held out "
          "(forecasts clamped at 0 on both sides)" % nser)
    print("doliflow auto (default, fast tier) chose: %s" % ", ".join("%s %d" % kv for kv in sorted(res["auto_mix"].items())))
    print("doliflow auto_full chose: %s" % ", ".join("%s %d" % kv for kv in sorted(res["auto_full_mix"].items())))
    print("%-34s %8s %8s %12s" % ("method", "MASE", "WAPE", "s/series"))
    for k, name in (("auto", "doliflow auto (default: fast tier)"),
                    ("auto_full", "doliflow auto_full (holdout)"), ("ets", "doliflow ETS by AICc"),
                    ("R_ets", "R forecast::ets"), ("R_prophet", "R prophet")):
        print("%-34s %8.4f %8.4f %12.5f" % (name, sc[k][0], sc[k][1], sc[k][2]))
    table("generated daily demand: doliflow against R",
          [("MASE auto vs R prophet", sc["auto"][0], sc["R_prophet"][0]),
           ("MASE auto vs R ets", sc["auto"][0], sc["R_ets"][0]),
           ("MASE auto vs auto_full", sc["auto"][0], sc["auto_full"][0]),
           ("MASE ETS vs R ets (same family)", sc["ets"][0], sc["R_ets"][0]),
           ("WAPE auto vs R prophet", sc["auto"][1], sc["R_prophet"][1]),
           ("WAPE auto vs R ets", sc["auto"][1], sc["R_ets"][1]),
           ("s/series auto vs R prophet", sc["auto"][2], sc["R_prophet"][2]),
           ("s/series auto vs R ets", sc["auto"][2], sc["R_ets"][2]),
           ("s/series auto vs auto_full", sc["auto"][2], sc["auto_full"][2]),
           ("s/series ETS vs R ets", sc["ets"][2], sc["R_ets"][2])])


def dailycov(cli, data, work):
    """Interval coverage on generated daily demand of seeds the other parts
    do not use (FC_BENCH_SEEDS, default 1..5), default (fast) and full tier,
    smooth and intermittent series apart."""
    seeds = [int(x) for x in os.environ.get("FC_BENCH_SEEDS", "1,2,3,4,5").split(",")]
    nser = int(os.environ.get("FC_BENCH_SERIES", "30"))
    H = 28
    print("\ngenerated daily demand, seed sweep: %d series x 1,095 days, 28 held out; coverage (%%) of "
          "the 80%% / 95%% intervals of doliflow auto" % nser)
    print("%-8s %6s %-13s %7s %7s %7s" % ("tier", "seed", "class", "points", "cov80", "cov95"))
    for tier in ("default", "full"):
        for seed in seeds:
            allv = gen_daily(nser, seed=seed)
            train = {k: v[:-H] for k, v in allv.items()}
            test = {k: v[-H:] for k, v in allv.items()}
            tpath = os.path.join(work, "dailycov_%d.csv" % seed)
            write_wide(tpath, train)
            out = os.path.join(work, "dailycov_%d_%s.csv" % (seed, tier))
            run([cli, "-h", str(H), "-p", "7", "-f", "7671", "-I"] + (["-T", "full"] if tier == "full" else []),
                tpath, out)
            pi = {k: v for d in read_fc_pi(out, H).values() for k, v in d.items()}
            res = {}
            for sid, y in test.items():
                if sid not in pi:
                    continue
                # gen_daily: every fifth series is intermittent
                cls = "intermittent" if int(sid[1:]) % 5 == 4 else "smooth"
                _, f, l8, h8, l9, h9 = pi[sid]
                c = res.setdefault(cls, [0, 0, 0])
                c[0] += len(y)
                c[1] += sum(1 for v, lo, u in zip(y, l8, h8) if lo <= v <= u)
                c[2] += sum(1 for v, lo, u in zip(y, l9, h9) if lo <= v <= u)
            for cls, c in sorted(res.items()):
                print("%-8s %6d %-13s %7d %7.1f %7.1f" % (tier, seed, cls, c[0], 100.0 * c[1] / c[0],
                                                        100.0 * c[2] / c[0]))


# ------------------------------------------------- M1, Tourism, M4: R peers
def read_fc_pi(path, H):
    """id,method,time,f(H),lo80(H),hi80(H),lo95(H),hi95(H) -> {method: {id: (t, f, lo80, hi80, lo95, hi95)}}"""
    res = {}
    with open(path) as f:
        for row in csv.reader(f):
            if len(row) < 3 + 5 * H:
                continue
            v = [float(x) for x in row[3:3 + 5 * H]]
            res.setdefault(row[1], {})[row[0]] = (float(row[2]),) + tuple(v[k * H:(k + 1) * H] for k in range(5))
    return res


def scores(train, test, fc, lag):
    """sMAPE, MASE, coverage 80/95 (%), MSIS over the series present in fc."""
    sm = ms = c80 = c95 = msis = 0.0
    k = npts = 0
    for sid, y in test.items():
        if sid not in fc:
            continue
        x = train[sid]
        _, f, l8, h8, l9, h9 = fc[sid]
        H = len(y)
        lg = lag if len(x) > lag else 1
        scale = sum(abs(x[i] - x[i - lg]) for i in range(lg, len(x))) / (len(x) - lg)
        if not scale > 0:
            scale = 1e-9 + sum(abs(v) for v in x) / len(x)
        sm += sum(200 * abs(a - b) / (abs(a) + abs(b)) if abs(a) + abs(b) > 0 else 0 for a, b in zip(y, f)) / H
        ms += sum(abs(a - b) for a, b in zip(y, f)) / H / scale
        a = 0.05
        msis += sum((u - lo) + 2 / a * max(0, lo - v) + 2 / a * max(0, v - u)
                    for v, lo, u in zip(y, l9, h9)) / H / scale
        c80 += sum(1 for v, lo, u in zip(y, l8, h8) if lo <= v <= u)
        c95 += sum(1 for v, lo, u in zip(y, l9, h9) if lo <= v <= u)
        npts += H
        k += 1
    if k == 0:
        return (float("nan"),) * 5 + (0,)
    return sm / k, ms / k, 100 * c80 / npts, 100 * c95 / npts, msis / k, k


def peers(cli, data, work):
    import json
    limit = int(os.environ.get("FC_BENCH_PEERS", "60"))
    allser = os.environ.get("FC_BENCH_ALL", "") not in ("", "0")
    sets = []
    for name in ("M1", "Tourism"):
        d = json.load(open(os.path.join(data, name + ".json")))
        for per, freq, m in (("YEARLY", "year", 1), ("QUARTERLY", "quarter", 4), ("MONTHLY", "month", 12)):
            ser = [(k, v) for k, v in sorted(d.items()) if v["period"][0] == per]
            sets.append((name, freq, m, m, {k: [float(a) for a in v["x"]] for k, v in ser},
                         {k: [float(a) for a in v["xx"]] for k, v in ser}))
    tr = read_wide(os.path.join(data, "M4-Weekly-train.csv"))
    te = read_wide(os.path.join(data, "M4-Weekly-test.csv"))
    # M4 Weekly: seasonal period 52 for the models, MASE with m = 1 (official)
    sets.append(("M4", "week", 52, 1, tr, te))
    print("\nM1, Tourism, M4 Weekly: doliflow auto (full tier, told the horizon) beside R forecast "
          "(ets, thetaf, auto.arima; defaults), same series, same metric code")
    print("series: %s" % ("all (FC_BENCH_ALL=1)" if allser else
                          "every k-th, at most %d per data set and frequency (FC_BENCH_ALL=1 for all)" % limit))
    hdr = "%-8s %-8s %4s %-10s %8s %8s %6s %6s %9s %10s" % ("set", "freq", "n", "method", "sMAPE", "MASE",
                                                            "cov80", "cov95", "MSIS", "s/series")
    rows = []
    for name, freq, m, lag, train, test in sets:
        ids = sorted(train)
        if not allser and len(ids) > limit:
            step = len(ids) / float(limit)
            ids = [ids[int(i * step)] for i in range(limit)]
        train = {k: train[k] for k in ids}
        test = {k: test[k] for k in ids}
        H = max(len(v) for v in test.values())
        tag = "%s_%s" % (name, freq)
        tpath = os.path.join(work, tag + "_train.csv")
        write_wide(tpath, train)
        out = os.path.join(work, tag + "_ours.csv")
        run([cli, "-h", str(H), "-p", str(m), "-F", freq, "-T", "full", "-R", str(H), "-I"], tpath, out)
        res = {"doliflow": read_fc_pi(out, H)}
        res["doliflow"] = {k: v for d in res["doliflow"].values() for k, v in d.items()}
        rout = os.path.join(work, tag + "_r.csv")
        # FC_BENCH_REUSE_R=1: keep the R forecasts of an earlier run in WORK_DIR
        if not (os.environ.get("FC_BENCH_REUSE_R") and os.path.exists(rout)):
            with open(rout, "w") as fo:
                # auto.arima with period 52 takes ~100 s per M4 Weekly series:
                # only with FC_BENCH_ALL=1 there
                which = "ets,theta" if name == "M4" and not allser else "ets,theta,arima"
                subprocess.run(["Rscript", os.path.join(HERE, "forecast_r.R"), "peers", tpath, str(H), str(m),
                                which], stdout=fo, stderr=subprocess.DEVNULL, check=True)
        rr = read_fc_pi(rout, H)
        for k in ("R_ets", "R_theta", "R_arima"):
            res[k] = rr.get(k, {})
        sc = {}
        for k, fc in res.items():
            sc[k] = scores(train, test, fc, lag)
            tt = sum(v[0] for v in fc.values()) / max(1, len(fc))
            if k == "doliflow":
                tt /= 1000.0
            sc[k] = sc[k] + (tt,)
        print("\n" + hdr)
        for k in ("doliflow", "R_ets", "R_theta", "R_arima"):
            r = sc[k]
            print("%-8s %-8s %4d %-10s %8.3f %8.3f %6.1f %6.1f %9.3f %10.4f" % (name, freq, r[5], k, r[0], r[1],
                                                                                r[2], r[3], r[4], r[6]))
        peers_ok = [k for k in ("R_ets", "R_theta", "R_arima") if sc[k][5] > 0]
        best_s = min(sc[k][0] for k in peers_ok)
        best_m = min(sc[k][1] for k in peers_ok)
        best_i = min(sc[k][4] for k in peers_ok)
        print("%-8s %-8s      ratio to the best R peer: sMAPE %.3f  MASE %.3f  MSIS %.3f" %
              (name, freq, sc["doliflow"][0] / best_s, sc["doliflow"][1] / best_m, sc["doliflow"][4] / best_i))
        rows.append((name, freq, sc))
    return rows


def main():
    cli, data, work = sys.argv[1:4]
    parts = sys.argv[4:] or ["m4", "carparts", "daily", "dailycov", "peers"]
    os.makedirs(work, exist_ok=True)
    for p in parts:
        {"m4": m4, "carparts": carparts, "daily": daily, "dailycov": dailycov,
         "peers": peers}[p](cli, data, work)


if __name__ == "__main__":
    main()
