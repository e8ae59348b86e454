"""Checks (核查) over loopback HTTP: latency of single checks, throughput, and a batch of 1,000.

    python bench/checks.py                                   # the medium demo, SQLite
    python bench/checks.py --size small --requests 200 --seconds 3   # a quick run
    python bench/checks.py --postgres         # inside a throwaway PostgreSQL cluster
    python bench/checks.py --keep /tmp/checks-db   # build into DIR once, reuse it next time

The database is built by child processes with their own var/ directory: `xinyong demo build
--size medium` (38,300 organisations, 777,000 persons, the credit records of collection, the
list entries they feed and a history of checks), then an API client of the finance bureau
(`xinyong clients create`, scopes checks:write and checks:read). `xinyong serve` (gunicorn,
2 workers x 4 threads, no background worker) serves it on a free loopback port.

Every request is a real check: POST /api/v1/checks, matter `procurement`, stored with its
hits and measures. Subjects are exact identifiers sampled with a fixed seed: 20 % subjects
with an effective list entry, the rest random organisations and persons.

- Latency: --requests sequential single-subject checks over one keep-alive connection (after
  a short warm-up), client-side and the application's own time (`Server-Timing`).
- Throughput: --clients threads for --seconds posting single-subject checks, then the same
  load against /healthz (a bare Django response) in the same run as the baseline.
- Batch: one check of 1,000 subjects (the API's maximum), 5 runs.

Targets: no errors; single check p99 ≤ 20 ms (client side); throughput ≥ 50 % of /healthz
(aim: ≥ 1,000 checks/s); a batch of 1,000 ≤ 1 s (median of the runs).
"""

import argparse
import functools
import http.client
import json
import os
import random
import statistics
import subprocess
from pathlib import Path

import harness  # bench/harness.py: what the HTTP benches share
from harness import (
    XINYONG,
    database_version,
    describe_error,
    load,
    logger,
    machine,
    machine_line,
    ms,
    prepare,
    run_timed,
    serving,
    settle,
    summary,
)

SAMPLE_SEED = 20261126
LISTED_SHARE = 0.2
PERSON_SHARE = 0.4  # of the rest: persons; the others are organisations
BATCH = 1_000
BATCH_RUNS = 5
WARM_UP = 30
MATTER = "procurement"
DEPARTMENT = "czj"
SCOPES = "checks:write,checks:read"
TARGET_P99_MS = 20
TARGET_SHARE = 0.5
AIM_PER_SECOND = 1_000
TARGET_BATCH_S = 1.0

log = logger("checks")


# ---- building the database ------------------------------------------------------------------

def build_database(env: dict, size: str, migrate_s: float) -> dict:
    """After `xinyong migrate`: the demo, then the API client (whose token it returns)."""
    log(f"demo build --size {size}" + (" (a minute or two)" if size == "medium" else ""))
    demo, _ = run_timed(XINYONG + ["demo", "build", "--size", size, "--no-progress"], env)
    _, out = run_timed(XINYONG + ["clients", "create", "--department", DEPARTMENT, "--scopes",
                                  SCOPES, "--name", "bench/checks.py"], env,
                       stdout=subprocess.PIPE)
    token = next(line.split(":", 1)[1].strip() for line in out.splitlines()
                 if line.startswith("token:"))
    return {"size": size, "migrate_s": migrate_s, "demo_s": round(demo, 1), "token": token}


def describe_database(vendor: str) -> dict:
    from django.db import connection

    from xinyong.lists.services import effective_entries
    from xinyong.measures.models import Check
    from xinyong.subjects.models import Base, Subject

    with connection.cursor() as cursor:
        version = database_version(cursor, vendor)
        cursor.execute("SELECT COUNT(*) FROM records_record")
        records = cursor.fetchone()[0]
    return {"vendor": vendor, "version": version, "subjects": Subject.objects.count(),
            "organisations": Subject.objects.exclude(base=Base.PERSON).count(),
            "records": records, "listed": effective_entries().count(),
            "checks_before": Check.objects.count()}


# ---- what to check ----------------------------------------------------------------------------

def random_codes(rng: random.Random, count: int, *, persons: bool) -> list[str]:
    """Codes of `count` subjects (persons, or organisations) drawn uniformly by id."""
    from django.db import connection

    base = "= 'person'" if persons else "<> 'person'"
    found: list[str] = []
    seen: set[int] = set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id), MAX(id) FROM subjects_subject")
        low, high = cursor.fetchone()
        for _round in range(100):
            if len(found) >= count or low is None:
                break
            ids = sorted({rng.randint(low, high) for _ in range(3 * count + 10)} - seen)
            seen.update(ids)
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                cursor.execute(f"SELECT code FROM subjects_subject WHERE base {base} AND id IN "
                               f"({', '.join(['%s'] * len(chunk))}) ORDER BY id", chunk)
                found += [code for (code,) in cursor.fetchall()]
    rng.shuffle(found)
    return found[:count]


def sample_codes(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """`count` (code, kind) pairs; kind is listed, organisation or person."""
    from xinyong.lists.services import effective_entries

    listed = sorted(set(effective_entries().values_list("subject__code", flat=True)))
    kinds = []
    for _ in range(count):
        if listed and rng.random() < LISTED_SHARE:
            kinds.append("listed")
        else:
            kinds.append("person" if rng.random() < PERSON_SHARE else "organisation")
    pools = {"listed": [rng.choice(listed) for _ in range(kinds.count("listed"))],
             "person": random_codes(rng, kinds.count("person"), persons=True),
             "organisation": random_codes(rng, kinds.count("organisation"), persons=False)}
    return [(pools[kind].pop(), kind) for kind in kinds if pools[kind]]


# ---- HTTP ------------------------------------------------------------------------------------

class Client(harness.Client):
    """One keep-alive connection posting checks; reconnects once if the server closed it."""

    OK = 201

    def __init__(self, port: int, token: str):
        super().__init__(port, {"Authorization": f"Bearer {token}",
                                "Content-Type": "application/json",
                                "Accept": "application/json"})

    def post(self, body: dict) -> tuple[int, float, float | None, bytes]:
        """(status, client ms, server ms from Server-Timing, body)."""
        return self.request("POST", "/api/v1/checks",
                            json.dumps(body, ensure_ascii=False).encode())

    def send(self, item: tuple[str, str], n: int) -> tuple[int, float, float | None, bytes]:
        """A check of the subject with `item`'s code, as request number `n` of a load."""
        return self.post(check_body([item[0]], f"bench load {n}"))

    def failure(self, item, status: int | None, body: bytes | str) -> str:
        return describe_error(status, body)


def check_body(codes: list[str], purpose: str) -> dict:
    return {"subjects": [{"code": code} for code in codes], "matter": MATTER,
            "purpose": purpose}


def sequential(port: int, token: str, codes: list[tuple[str, str]], requests: int) -> dict:
    client = Client(port, token)
    server, elapsed, errors, first_error, hits = [], [], 0, None, 0
    for n in range(requests):
        code, kind = codes[n % len(codes)]
        try:
            status, ms, dur, body = client.post(check_body([code], f"bench sequential {n}"))
        except (OSError, http.client.HTTPException) as exc:
            errors += 1
            first_error = first_error or describe_error(None, repr(exc))
            client.close()
            continue
        if status != 201 or dur is None:
            errors += 1
            first_error = first_error or describe_error(status, body)
            continue
        result = json.loads(body)["results"][0]
        hits += bool(result.get("entries") or result.get("measures"))
        server.append(dur)
        elapsed.append(ms)
    client.close()
    return {"requests": requests, "ok": len(server), "errors": errors, "hits": hits,
            "first_error": first_error, **summary(server, elapsed, client_tail=True)}


def batches(port: int, token: str, codes: list[tuple[str, str]], runs: int) -> dict:
    client = Client(port, token)
    seconds, server, errors, first_error, hits = [], [], 0, None, 0
    for run in range(runs):
        status, ms, dur, body = client.post(check_body([c for c, _ in codes],
                                                       f"bench batch {run}"))
        if status != 201:
            errors += 1
            first_error = first_error or describe_error(status, body)
            continue
        hits = json.loads(body)["hit_count"]
        seconds.append(ms / 1000)
        server.append((dur or 0) / 1000)
    client.close()
    return {"runs": runs, "subjects": len(codes), "errors": errors, "first_error": first_error,
            "hits": hits, "median_s": statistics.median(seconds) if seconds else None,
            "max_s": max(seconds, default=None),
            "server_median_s": statistics.median(server) if server else None}


def measure(env: dict, var: Path, token: str, singles: list, batch: list, args) -> dict:
    with serving("checks", env, var) as port:
        # Warm-up, not counted: fresh connections, so both gunicorn workers serve some.
        for n in range(WARM_UP):
            warm = Client(port, token)
            warm.post(check_body([singles[n % len(singles)][0]], "bench warm-up"))
            warm.close()
        log(f"{args.requests:,} sequential single checks")
        latency = sequential(port, token, singles, args.requests)
        log(f"load: {args.clients} clients for {args.seconds} s, single checks")
        loaded = {"checks": load(functools.partial(Client, port, token), singles, args.clients,
                                 args.seconds, client_tail=True)}
        log(f"load: {args.clients} clients for {args.seconds} s, /healthz")
        loaded["healthz"] = load(functools.partial(harness.Client, port), ["/healthz"],
                                 args.clients, args.seconds)
        log(f"{BATCH_RUNS} checks of {len(batch):,} subjects")
        batch_result = batches(port, token, batch, BATCH_RUNS)
    return {"latency": latency, "load": loaded, "batch": batch_result}


# ---- the report --------------------------------------------------------------------------------

def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def verdict(ok: bool | None) -> str:
    return "no data" if ok is None else ("PASS" if ok else "MISS")


def report(results: dict) -> None:
    m, db, build = results["machine"], results["database"], results["build"]
    print(machine_line(m))
    print(f"database: {db['vendor']} {db['version']}, demo --size {build['size']}: "
          f"{db['subjects']:,} subjects ({db['organisations']:,} organisations), "
          f"{db['records']:,} credit records, {db['listed']:,} effective list entries, "
          f"{db['checks_before']:,} checks stored before the run")
    if "reused" in build:
        print(f"build: reused from {build['reused']} (built: demo {build['demo_s']} s)"
              + (f", pg_restore {build['restore_s']} s" if "restore_s" in build else ""))
    else:
        print(f"build: migrate {build['migrate_s']} s, demo build --size {build['size']} "
              f"{build['demo_s']} s, peak RSS {build['peak_rss_mib']} MiB")
    print("server: xinyong serve --workers 2 --threads 4 (gunicorn gthread), loopback; "
          "server ms = Server-Timing app;dur; every request stores a check (matter "
          f"{MATTER}, department {DEPARTMENT})")
    print()
    seq, loaded, batch = results["latency"], results["load"], results["batch"]
    checks, bare = loaded["checks"], loaded["healthz"]
    print("| single exact-identifier check | requests | errors | with hits | p50 ms | p95 ms "
          "| p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for side in ("client", "server"):
        print(f"| sequential, {side} side | {seq['requests']:,} | {seq['errors']:,} | "
              f"{seq['hits']:,} | {ms(seq[f'{side}_p50'])} | {ms(seq[f'{side}_p95'])} | "
              f"**{ms(seq[f'{side}_p99'])}** | {ms(seq[f'{side}_max'])} |")
    print()
    print(f"| load ({checks['clients']} client threads, {checks['seconds']} s) | requests | "
          "errors | req/s | client p50 ms | client p99 ms | server p99 ms | client CPU (cores) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, row in (("single checks", checks), ("/healthz (baseline)", bare)):
        print(f"| {label} | {row['requests']:,} | {row['errors']:,} | **{row['per_second']:,}** "
              f"| {ms(row['client_p50'])} | {ms(row.get('client_p99'))} | "
              f"{ms(row.get('server_p99'))} | {row['client_cpu_share']} |")
    ratio = checks["per_second"] / bare["per_second"] if bare["per_second"] else None
    print()
    print(f"| batch check of {batch['subjects']:,} subjects | runs | errors | subjects with hits "
          "| median s | max s | server median s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(f"| POST /api/v1/checks | {batch['runs']} | {batch['errors']} | {batch['hits']:,} | "
          f"**{ms_s(batch['median_s'])}** | {ms_s(batch['max_s'])} | "
          f"{ms_s(batch['server_median_s'])} |")
    errors = seq["errors"] + checks["errors"] + bare["errors"] + batch["errors"]
    p99 = seq["client_p99"]
    targets = [
        ("no errors (sequential, load, baseline, batch)", f"{errors} errors", errors == 0),
        (f"single check p99 ≤ {TARGET_P99_MS} ms (client side)",
         f"{ms(p99)} ms (server {ms(seq['server_p99'])} ms)",
         None if p99 is None else p99 <= TARGET_P99_MS),
        (f"throughput ≥ {TARGET_SHARE:.0%} of /healthz",
         f"{checks['per_second']:,} vs {bare['per_second']:,} req/s = "
         + (f"{ratio:.1%}" if ratio is not None else "—"),
         None if ratio is None else ratio >= TARGET_SHARE),
        (f"aim: ≥ {AIM_PER_SECOND:,} checks/s", f"{checks['per_second']:,} checks/s",
         checks["per_second"] >= AIM_PER_SECOND),
        (f"batch of {BATCH:,} ≤ {TARGET_BATCH_S:g} s (median of {BATCH_RUNS})",
         f"{ms_s(batch['median_s'])} s (max {ms_s(batch['max_s'])} s)",
         None if batch["median_s"] is None else batch["median_s"] <= TARGET_BATCH_S),
    ]
    print()
    print("| target | measured | verdict |")
    print("|---|---|---|")
    for label, measured, ok in targets:
        print(f"| {label} | {measured} | **{verdict(ok)}** |")
    for label, row in (("sequential", seq), ("load, checks", checks), ("load, /healthz", bare),
                       ("batch", batch)):
        if row.get("first_error"):
            print(f"first error, {label}: {row['first_error']}")


def ms_s(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


# ---- the run ---------------------------------------------------------------------------------

def collect(args, var: Path, env: dict, vendor: str) -> dict:
    built = prepare("checks", var, env, bool(args.keep), vendor,
                    functools.partial(build_database, env, args.size))
    import django

    django.setup()
    settle("checks", vendor)
    database = describe_database(vendor)
    if "reused" in built and built["size"] != args.size:
        log(f"the kept database is the {built['size']} demo; --size {args.size} ignored "
            f"(remove {var} to rebuild)")
    log(f"sampling {args.requests:,} + {BATCH:,} subjects")
    rng = random.Random(SAMPLE_SEED)
    singles = sample_codes(args.requests, rng)
    batch = sample_codes(BATCH, rng)
    from django.db import connection

    connection.close()
    return {"machine": dict(machine(), cpu_model=cpu_model()), "database": database,
            "build": {k: v for k, v in built.items() if k != "token"},
            "options": vars(args),
            **measure(env, var, built["token"], singles, batch, args)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("small", "medium", "city"), default="medium",
                        help="the demo city to build (default medium)")
    parser.add_argument("--requests", type=int, default=2000,
                        help="sequential single checks (default 2000)")
    harness.add_options(parser)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyong.settings")
    harness.run("checks", __file__, args, collect, report)

if __name__ == "__main__":
    main()
