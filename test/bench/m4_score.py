#!/usr/bin/env python3
"""Score forecasts of M4 Weekly with the official definitions (data/README.md):
sMAPE = mean(200|y-f|/(|y|+|f|)); MASE scaled by the in-sample mean absolute
one-step difference (m = 1 for weekly); both averaged over the 359 series and
13 horizons.  Usage: m4_score.py train.csv test.csv forecasts.csv
forecasts.csv: id,method,ms,f1..f13 (fc_cli output) or id,f1..f13.
Prints: sMAPE MASE n_series mean_ms and the method mix."""
import csv
import sys
from collections import Counter


def read_wide(path):
    out = {}
    with open(path) as f:
        r = csv.reader(f)
        next(r)
        for row in r:
            out[row[0]] = [float(v) for v in row[1:] if v not in ("", "NA")]
    return out


def main():
    train, test = read_wide(sys.argv[1]), read_wide(sys.argv[2])
    fc, ms, meth = {}, [], Counter()
    with open(sys.argv[3]) as f:
        for row in csv.reader(f):
            try:
                float(row[1])
                fc[row[0]] = [float(v) for v in row[1:]]
            except ValueError:
                meth[row[1]] += 1
                ms.append(float(row[2]))
                fc[row[0]] = [float(v) for v in row[3:]]
    smape = mase = 0.0
    k = 0
    for sid, y in test.items():
        f = fc[sid][:len(y)]
        x = train[sid]
        scale = sum(abs(x[i] - x[i - 1]) for i in range(1, len(x))) / (len(x) - 1)
        smape += sum(200 * abs(a - b) / (abs(a) + abs(b)) for a, b in zip(y, f)) / len(y)
        mase += sum(abs(a - b) for a, b in zip(y, f)) / len(y) / scale
        k += 1
    print("%.3f %.3f %d %.2f %s" % (smape / k, mase / k, k, sum(ms) / len(ms) if ms else float("nan"),
                                    " ".join("%s:%d" % kv for kv in sorted(meth.items()))))


if __name__ == "__main__":
    main()
