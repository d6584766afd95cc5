#!/usr/bin/env python3
"""Top-1 agreement of two predictions files (filename,top1,top5 as `tern eval
--predictions` and shared/refs/<model>/predictions*.csv write them).

  python3 tools/compare_predictions.py OURS.csv REF.csv [REF2.csv ...]

prints, per reference, the share of images whose top-1 class is the same.
"""
import csv
import sys


def top1(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if rows and not rows[0][1].strip().lstrip("-").isdigit():
        rows = rows[1:]  # header
    return {r[0]: r[1].strip() for r in rows if len(r) >= 2}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    ours = top1(sys.argv[1])
    for ref_path in sys.argv[2:]:
        ref = top1(ref_path)
        common = [k for k in ref if k in ours]
        same = sum(ours[k] == ref[k] for k in common)
        print("%s: %d/%d = %.1f%% top-1 agreement" % (ref_path, same, len(common),
                                                      100.0 * same / max(len(common), 1)))


if __name__ == "__main__":
    main()
