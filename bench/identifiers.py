"""Identifier throughput: batch validation of 1 M-code columns, per-call parsing, generators.

    python bench/identifiers.py [--n 1000000] [--json]

Each figure is the best of 3 runs (the generators run once). Baselines in the same run: a
plain Python loop computing the check character only, and python-stdnum's `is_valid` per call.
"""

import argparse
import json
import os
import platform
import random
import sys
import time
from datetime import date, timedelta

import numpy as np
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from xinyong.core.identifiers import (
    AUTHORITIES,
    USCC_CHARSET,
    make_resident_id,
    make_uscc,
    parse_resident_id,
    parse_uscc,
    validate_resident_id_array,
    validate_uscc_array,
)

QINGDAO = ["370202", "370203", "370211", "370212", "370213", "370214", "370215", "370281",
           "370283", "370285", "370205", "370282"]
PAIRS = [(a, c) for a, entry in AUTHORITIES.items() for c in entry["categories"]]
INVALID_SHARE = 0.01
PER_CALL = 100_000


def best_of(runs: int, function, *args) -> tuple[float, object]:
    """Shortest wall time of `runs` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def corrupt(codes: list[str], rng: random.Random, alphabet: str) -> int:
    """Replace the last character of about 1 % of the codes; return how many stay valid."""
    bad = rng.sample(range(len(codes)), int(len(codes) * INVALID_SHARE))
    for i in bad:
        code = codes[i]
        codes[i] = code[:-1] + rng.choice(alphabet.replace(code[-1], ""))
    return len(codes) - len(bad)


def make_usccs(n: int, rng: random.Random) -> list[str]:
    return [make_uscc(*rng.choice(PAIRS), rng.choice(QINGDAO),
                      "".join(rng.choices(USCC_CHARSET, k=8))) for _ in range(n)]


def make_ids(n: int, rng: random.Random) -> list[str]:
    first = date(1930, 1, 1)
    return [make_resident_id(rng.choice(QINGDAO), first + timedelta(days=rng.randrange(30_000)),
                             rng.randrange(1000)) for _ in range(n)]


_W31 = [pow(3, i, 31) for i in range(17)]
_V31 = {c: i for i, c in enumerate(USCC_CHARSET)}
_W11 = [pow(2, 17 - i, 11) for i in range(17)]


def python_uscc_checksum(codes: list[str]) -> int:
    """Baseline: check character only, plain Python, no format checks."""
    return sum(USCC_CHARSET[-sum(_V31[c] * w for c, w in zip(code[:17], _W31, strict=True))
                            % 31] == code[17] for code in codes)


def python_rid_checksum(codes: list[str]) -> int:
    return sum("10X98765432"[sum(int(c) * w for c, w in zip(code[:17], _W11, strict=True))
                             % 11] == code[17] for code in codes)


def count_valid(parse, codes: list[str]) -> int:
    valid = 0
    for code in codes:
        try:
            parse(code)
            valid += 1
        except ValueError:
            pass
    return valid


def count_true(predicate, codes: list[str]) -> int:
    return sum(map(predicate, codes))


def timed_once(rows: list[dict], name: str, items: int, function, *args):
    """Generators run once: their output feeds the other benchmarks."""
    seconds, result = best_of(1, function, *args)
    rows.append({"benchmark": name, "items": items, "runs": 1, "seconds": round(seconds, 4),
                 "per_second": round(items / seconds)})
    return result


def run(n: int) -> list[dict]:
    rng = random.Random(2017)
    rows = []

    def measure(name: str, items: int, function, *args, expected=None, runs: int = 3):
        seconds, result = best_of(runs, function, *args)
        valid = int(np.sum(result)) if isinstance(result, np.ndarray) else result
        if expected is not None and valid != expected:
            raise SystemExit(f"{name}: {valid} valid, expected {expected}")
        rows.append({"benchmark": name, "items": items, "runs": runs,
                     "seconds": round(seconds, 4), "per_second": round(items / seconds)})

    usccs = timed_once(rows, "make_uscc (generator, with random draws)", n, make_usccs, n, rng)
    uscc_ok = corrupt(usccs, rng, USCC_CHARSET)
    uscc_array = np.array(usccs)
    measure("validate_uscc_array, list of str", n, validate_uscc_array, usccs,
            expected=uscc_ok)
    measure("validate_uscc_array, numpy U18 array", n, validate_uscc_array, uscc_array,
            expected=uscc_ok)
    measure("baseline: Python loop, USCC check char only", n, python_uscc_checksum, usccs,
            expected=uscc_ok)
    sample = usccs[:PER_CALL]
    sample_ok = int(validate_uscc_array(sample).sum())
    measure("parse_uscc per call", len(sample), count_valid, parse_uscc, sample,
            expected=sample_ok)
    measure("baseline: stdnum.cn.uscc.is_valid per call", len(sample), count_true,
            stdnum_uscc.is_valid, sample)

    ids = timed_once(rows, "make_resident_id (generator, with random draws)", n, make_ids, n,
                     rng)
    ids_ok = corrupt(ids, rng, "0123456789X")
    measure("validate_resident_id_array, list of str", n, validate_resident_id_array, ids,
            expected=ids_ok)
    measure("validate_resident_id_array, numpy U18 array", n, validate_resident_id_array,
            np.array(ids), expected=ids_ok)
    measure("baseline: Python loop, resident ID check char only", n, python_rid_checksum, ids,
            expected=ids_ok)
    sample = ids[:PER_CALL]
    sample_ok = int(validate_resident_id_array(sample).sum())
    measure("parse_resident_id per call", len(sample), count_valid, parse_resident_id, sample,
            expected=sample_ok)
    measure("baseline: stdnum.cn.ric.is_valid per call", len(sample), count_true,
            stdnum_ric.is_valid, sample)
    return rows


def markdown(rows: list[dict]) -> str:
    lines = [f"Identifiers — Python {platform.python_version()}, numpy {np.__version__}, "
             f"{os.cpu_count()} CPUs", "",
             "| benchmark | items | runs | best (s) | items/s |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {r['benchmark']} | {r['items']:,} | {r['runs']} | {r['seconds']:.3f} "
              f"| {r['per_second']:,} |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="codes per column")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    rows = run(args.n)
    print(json.dumps(rows, indent=2) if args.json else markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
