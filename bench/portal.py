"""Server-side latency and loopback throughput of the public portal with 1 M organisations.

    python bench/portal.py                                        # 1 M organisations, SQLite
    python bench/portal.py --organisations 60000 --requests 200   # a quick run
    python bench/portal.py --postgres               # inside a throwaway PostgreSQL cluster
    python bench/portal.py --keep /tmp/portal-db    # build into DIR once, reuse it next time

The database is built by child processes with their own var/ directory: `xinyong demo build
--size medium` (38,300 organisations, 777,000 persons, ~107 k credit records through
collection), then organisations from the same generator registered with `bulk_register` up to
--organisations. `xinyong serve` (gunicorn, 2 workers x 4 threads, no background worker)
then serves it on a free loopback port.

Latency: per kind of request, --requests sequential requests over one keep-alive connection
(one client thread, after a short warm-up); the figures are the application's own time from
the `Server-Timing` header (`core.middleware.ServerTiming`), the client's p95 beside them.
Load: --clients threads for --seconds cycling through the HTML pages, then the same load
against /healthz (a bare Django response) in the same run as the baseline. The public JSON
API is rate-limited per client address, so it is measured sequentially only. Queries are
sampled from the database with a fixed seed; requests carry no cookies (new visitors).
"""

import argparse
import functools
import http.client
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from harness import (  # bench/harness.py: what the HTTP benches share
    XINYONG,
    Client,
    add_options,
    database_version,
    load,
    logger,
    machine,
    machine_line,
    ms,
    prepare,
    run,
    run_timed,
    serving,
    settle,
    summary,
)

DEMO_SEED = 2017  # `xinyong demo build`'s default seed
TOPUP_SEED = 4242  # names and types of the top-up organisations
TOPUP_START = 10_000_000  # generator indexes of the top-up: far beyond the demo's 38,300
BATCH = 10_000
SAMPLE_SEED = 20261127
TARGET_MS = 50
# Fragments many names share (the broadest searches), mixed in with random ones.
COMMON = {2: ["青岛", "有限", "公司", "科技", "贸易", "黄岛"],
          4: ["有限公司", "科技有限", "青岛市市", "专业合作"]}
COMMON_SHARE = 0.2
# The public JSON API allows 120 requests a minute per address by default; the bench's server
# allows more, so the sequential JSON row gets --requests answers (the throttle still runs).
API_RATE = "1000000/min"

log = logger("portal")


# ---- building the database ------------------------------------------------------------------

def top_up(target: int) -> None:
    """In a child (`--_load N`): register organisations until there are `target`, and print
    what was done as JSON. The generator's codes are an index mapped through a bijection
    salted by the seed: the top-up keeps the demo's salt and takes indexes from TOPUP_START
    on, so its codes cannot collide with the demo's; only the names and types come from
    another seed."""
    import itertools

    from django.db import connection

    from xinyong.demo.generator import ENTERPRISE_TYPES, NON_ENTERPRISE_TYPES, SIZES, City
    from xinyong.subjects.bulk import bulk_register
    from xinyong.subjects.models import Base, Subject

    existing = Subject.objects.exclude(base=Base.PERSON).count()
    count = max(0, target - existing)
    medium = SIZES["medium"]
    enterprises = round(count * medium.enterprises / (medium.enterprises
                                                      + medium.non_enterprises))
    city = City(TOPUP_SEED)
    city.salt = City(DEMO_SEED).salt
    start = TOPUP_START + existing  # disjoint from any earlier top-up's indexes as well
    streams = itertools.chain(
        city.organisations(enterprises, ENTERPRISE_TYPES, start),
        city.organisations(count - enterprises, NON_ENTERPRISE_TYPES, start + enterprises))
    started = time.perf_counter()
    while batch := list(itertools.islice(streams, BATCH)):
        bulk_register(batch, actor="bench", reason="bench/portal.py top-up organisations")
    seconds = time.perf_counter() - started
    connection.close()
    print(json.dumps({"existing": existing, "added": count, "seconds": round(seconds, 1)}))


def build_database(env: dict, organisations: int, migrate_s: float) -> dict:
    """After `xinyong migrate`: the medium demo, then the top-up (in a child)."""
    log("demo build --size medium (about a minute)")
    demo, _ = run_timed(XINYONG + ["demo", "build", "--size", "medium", "--no-progress"], env)
    log(f"top-up to {organisations:,} organisations")
    _, out = run_timed([sys.executable, __file__, "--_load", str(organisations)], env,
                       stdout=subprocess.PIPE)
    loaded = json.loads(out.strip().splitlines()[-1])
    return {"migrate_s": migrate_s, "demo_s": round(demo, 1),
            "topup_added": loaded["added"], "topup_s": loaded["seconds"]}


# ---- what to ask ------------------------------------------------------------------------------

def random_organisations(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(code, name) of `count` organisations drawn uniformly by id (persons skipped), without
    reading the whole table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id), MAX(id) FROM subjects_subject")
        low, high = cursor.fetchone()
        found: list[tuple[str, str]] = []
        seen: set[int] = set()
        while len(found) < count:
            ids = [i for i in (rng.randint(low, high) for _ in range(2 * count)) if i not in seen]
            seen.update(ids)
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                cursor.execute("SELECT id, code, name FROM subjects_subject WHERE base <> "
                               f"'person' AND id IN ({', '.join(['%s'] * len(chunk))})", chunk)
                rows = {sid: (code, name) for sid, code, name in cursor.fetchall()}
                found += [rows[i] for i in chunk if i in rows]
    return found[:count]


def recorded_organisations(rng: random.Random, count: int) -> list[str]:
    """Codes of `count` organisations that have credit records."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT r.subject_id FROM records_record r JOIN subjects_subject "
                       "s ON s.id = r.subject_id WHERE s.base <> 'person' ORDER BY 1")
        ids = [row[0] for row in cursor.fetchall()]
        chosen = [rng.choice(ids) for _ in range(count)] if ids else []
        codes = {}
        for start in range(0, len(chosen), 500):
            chunk = chosen[start:start + 500]
            cursor.execute("SELECT id, code FROM subjects_subject WHERE id IN "
                           f"({', '.join(['%s'] * len(chunk))})", chunk)
            codes.update(cursor.fetchall())
    return [codes[i] for i in chosen]


def fragment(rng: random.Random, name: str, length: int) -> str | None:
    starts = [i for i in range(len(name) - length + 1) if name[i:i + length].isalnum()]
    return name[(s := rng.choice(starts)):s + length] if starts else None


def messy_code(rng: random.Random, code: str) -> str:
    """The code as people type it: lower case, spaces inserted, or both."""
    style = rng.choice(("lower", "spaces", "both"))
    if style != "spaces":
        code = code.lower()
    if style != "lower":
        cuts = sorted(rng.sample(range(1, len(code)), 3))
        code = " ".join(code[a:b] for a, b in zip([0, *cuts], [*cuts, len(code)], strict=True))
    return code


def sample_queries(count: int) -> dict[str, list[tuple[str, str]]]:
    """Per kind, `count` (query, variant) pairs; variant is "common", "random" or "messy"."""
    rng = random.Random(SAMPLE_SEED)
    organisations = random_organisations(rng, 3 * count)
    names = [name for _, name in organisations]
    queries: dict[str, list[tuple[str, str]]] = {}
    for length in (2, 4):
        picked = []
        while len(picked) < count:
            if rng.random() < COMMON_SHARE:
                picked.append((rng.choice(COMMON[length]), "common"))
            elif part := fragment(rng, rng.choice(names), length):
                picked.append((part, "random"))
        queries[f"search{length}"] = picked
    codes = [code for code, _ in organisations[:count]]
    queries["code"] = [(messy_code(rng, c), "messy") if i % 3 == 0 else (c, "random")
                       for i, c in enumerate(codes)]
    half = count // 2
    with_records = recorded_organisations(rng, half)
    profiles = [(c, "records") for c in with_records] + \
               [(c, "random") for c in codes[:count - len(with_records)]]
    rng.shuffle(profiles)
    queries["profile"] = profiles
    return queries


def describe_database(vendor: str) -> dict:
    from django.db import connection

    from xinyong.subjects.models import Base, Subject

    with connection.cursor() as cursor:
        version = database_version(cursor, vendor)
        cursor.execute("SELECT COUNT(*) FROM records_record")
        records = cursor.fetchone()[0]
    organisations = Subject.objects.exclude(base=Base.PERSON).count()
    subjects = Subject.objects.count()
    connection.close()
    return {"vendor": vendor, "version": version, "organisations": organisations,
            "subjects": subjects, "records": records}


# ---- HTTP ------------------------------------------------------------------------------------

def sequential(port: int, paths: list[tuple[str, str]], requests: int) -> dict:
    """`requests` requests one after another over one keep-alive connection."""
    client = Client(port)
    server_ms: dict[str, list[float]] = {}
    client_ms: dict[str, list[float]] = {}
    errors, limited, first_error = 0, 0, None
    for n in range(requests):
        path, variant = paths[n % len(paths)]
        try:
            status, elapsed, dur, body = client.get(path)
        except (OSError, http.client.HTTPException) as exc:
            errors += 1
            first_error = first_error or client.failure(path, None, repr(exc))
            client.close()
            continue
        if status == 429:  # the public API's rate limit: stop this kind rather than wait
            limited = requests - n
            break
        if status != 200 or dur is None:
            errors += 1
            first_error = first_error or client.failure(path, status, body)
            continue
        server_ms.setdefault(variant, []).append(dur)
        client_ms.setdefault(variant, []).append(elapsed)
    client.close()
    every_server = [v for values in server_ms.values() for v in values]
    every_client = [v for values in client_ms.values() for v in values]
    result = {"requests": requests - limited, "ok": len(every_server), "errors": errors,
              "rate_limited_from": requests - limited + 1 if limited else None,
              "first_error": first_error, **summary(every_server, every_client)}
    result["variants"] = {variant: dict(summary(values, client_ms[variant]), ok=len(values))
                          for variant, values in sorted(server_ms.items())}
    return result


# ---- the run ---------------------------------------------------------------------------------

KINDS = [  # (key, label, URL template, query kind, target)
    ("search2", "search page, 2 characters", "/search/?q={}", "search2", True),
    ("search4", "search page, 4 characters", "/search/?q={}", "search4", True),
    ("code", "search page, code", "/search/?q={}", "code", True),
    ("profile", "profile page", "/subjects/{}/", "profile", True),
    ("api_search", "JSON search (extra)", "/api/v1/public/search?q={}", None, False),
    ("healthz", "/healthz (baseline)", "/healthz", None, False),
]


def url_lists(queries: dict) -> dict[str, list[tuple[str, str]]]:
    urls = {}
    for key, _, template, kind, _ in KINDS:
        if kind:
            urls[key] = [(template.format(quote(q, safe="")), v) for q, v in queries[kind]]
        elif key == "api_search":  # the three kinds of search, interleaved
            mixed = [x for triple in zip(queries["search2"], queries["search4"], queries["code"],
                                         strict=True) for x in triple]
            urls[key] = [(template.format(quote(q, safe="")), v) for q, v in mixed]
        else:
            urls[key] = [(template, "bare")]
    return urls


def measure(env: dict, var: Path, queries: dict, args) -> dict:
    urls = url_lists(queries)
    with serving("portal", env, var) as port:
        # Warm-up, not counted: fresh connections, so both gunicorn workers serve some.
        warm = Client(port)
        for key in urls:
            for path, _ in urls[key][:10]:
                warm.get(path, close=True)
        latency = {}
        for key, label, *_ in KINDS:
            log(f"{args.requests:,} sequential requests: {label}")
            latency[key] = sequential(port, urls[key], args.requests)
        pages = [p for key in ("search2", "search4", "code", "profile") for p, _ in urls[key]]
        random.Random(SAMPLE_SEED).shuffle(pages)
        connect = functools.partial(Client, port)
        log(f"load: {args.clients} clients for {args.seconds} s, HTML pages")
        loaded = {"pages": load(connect, pages, args.clients, args.seconds)}
        log(f"load: {args.clients} clients for {args.seconds} s, /healthz")
        loaded["healthz"] = load(connect, ["/healthz"], args.clients, args.seconds)
    return {"latency": latency, "load": loaded}


def report(results: dict) -> None:
    m, db, build = results["machine"], results["database"], results["build"]
    print(machine_line(m))
    print(f"database: {db['vendor']} {db['version']}, {db['organisations']:,} organisations "
          f"({db['subjects']:,} subjects), {db['records']:,} credit records")
    if "reused" in build:
        print(f"build: reused from {build['reused']} (built: demo {build.get('demo_s')} s, "
              f"top-up {build.get('topup_added', 0):,} organisations {build.get('topup_s')} s)"
              + (f", pg_restore {build['restore_s']} s" if "restore_s" in build else ""))
    else:
        rate = build["topup_added"] / build["topup_s"] if build["topup_s"] else 0
        print(f"build: migrate {build['migrate_s']} s, demo build --size medium "
              f"{build['demo_s']} s, top-up {build['topup_added']:,} organisations "
              f"{build['topup_s']} s ({rate:,.0f}/s), peak RSS {build['peak_rss_mib']} MiB")
    print("server: xinyong serve --workers 2 --threads 4 (gunicorn gthread), loopback; "
          "server ms = Server-Timing app;dur; "
          f"XINYONG_PUBLIC_API_RATE={results['api_rate']} (default 120/min)")
    print()
    print(f"| request | requests | errors | server p50 ms | server p95 ms | server p99 ms | "
          f"server max ms | client p95 ms | target p95 ≤ {TARGET_MS} ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for key, label, _, _, target in KINDS:
        row = results["latency"][key]
        verdict = ("met" if row["server_p95"] <= TARGET_MS else "not met") \
            if target and row["server_p95"] is not None else ("—" if not target else "no data")
        errors = f"{row['errors']:,}" + (f" (+429 from #{row['rate_limited_from']})"
                                         if row["rate_limited_from"] else "")
        print(f"| {label} | {row['requests']:,} | {errors} | {ms(row['server_p50'])} | "
              f"**{ms(row['server_p95'])}** | {ms(row['server_p99'])} | {ms(row['server_max'])} "
              f"| {ms(row['client_p95'])} | {verdict} |")
        if key in ("search2", "search4", "code", "profile"):
            for variant, sub in row["variants"].items():
                print(f"| &nbsp;&nbsp;of which {variant} | {sub['ok']:,} | | "
                      f"{ms(sub['server_p50'])} | {ms(sub['server_p95'])} | "
                      f"{ms(sub['server_p99'])} | {ms(sub['server_max'])} | "
                      f"{ms(sub['client_p95'])} | |")
    print()
    pages, bare = results["load"]["pages"], results["load"]["healthz"]
    print(f"| load ({pages['clients']} client threads, {pages['seconds']} s) | requests | errors "
          f"| req/s | client p50 ms | client p95 ms | server p95 ms | client CPU (cores) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, row in (("HTML pages (search 2/4/code, profile)", pages),
                       ("/healthz (baseline)", bare)):
        print(f"| {label} | {row['requests']:,} | {row['errors']:,} | **{row['per_second']:,}** "
              f"| {ms(row['client_p50'])} | {ms(row['client_p95'])} | {ms(row['server_p95'])} "
              f"| {row['client_cpu_share']} |")
    if bare["per_second"]:
        print(f"\npages / baseline throughput: {pages['per_second'] / bare['per_second']:.1%}")
    errors = [(label, results["latency"][key]["first_error"]) for key, label, *_ in KINDS] + \
             [(f"load, {key}", results["load"][key]["first_error"]) for key in ("pages", "healthz")]
    for label, error in errors:
        if error:
            print(f"first error, {label}: {error}")


def collect(args, var: Path, env: dict, vendor: str) -> dict:
    env.setdefault("XINYONG_PUBLIC_API_RATE", API_RATE)
    built = prepare("portal", var, env, bool(args.keep), vendor,
                    functools.partial(build_database, env, args.organisations))
    import django

    django.setup()
    database = describe_database(vendor)
    if "reused" in built and database["organisations"] != args.organisations:
        log(f"the kept database has {database['organisations']:,} organisations; "
            f"--organisations {args.organisations:,} ignored (remove {var} to rebuild)")
    settle("portal", vendor)
    log(f"sampling {args.requests:,} queries per kind")
    queries = sample_queries(args.requests)
    from django.db import connection

    connection.close()
    return {"machine": machine(), "database": database, "build": built,
            "api_rate": env["XINYONG_PUBLIC_API_RATE"],
            "options": {k: v for k, v in vars(args).items() if k != "_load"},
            **measure(env, var, queries, args)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=1000, help="per kind of request")
    add_options(parser)
    parser.add_argument("--_load", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyong.settings")
    if args._load is not None:  # the top-up child
        import django

        django.setup()
        return top_up(args._load)
    run("portal", __file__, args, collect, report)


if __name__ == "__main__":
    main()
