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
import http.client
import json
import os
import random
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from portal import (  # bench/portal.py: the server, percentiles, the machine
    PGBIN,
    XINYONG,
    free_port,
    load,
    machine,
    percentile,
    run_timed,
    settle,
    start_server,
    stop_server,
)

ROOT = Path(__file__).resolve().parent.parent
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
SERVER_TIMING = re.compile(r"\bdur=([0-9.]+)")


def log(message: str) -> None:
    print(f"checks bench: {message}", file=sys.stderr, flush=True)


# ---- building the database ------------------------------------------------------------------

def prepare(var: Path, env: dict, size: str, keep: bool, vendor: str) -> dict:
    """Build the database and the API client into `var` (or reuse what a --keep run left)."""
    marker = var / f"bench-checks-{vendor}.json"
    dump = var / "xinyong.pgdump"
    if keep and marker.exists():
        build = json.loads(marker.read_text())
        if vendor == "postgresql":
            log(f"restoring {dump}")
            seconds, _ = run_timed([str(PGBIN / "pg_restore"), "--no-owner", "--jobs", "2",
                                    "--dbname", env["XINYONG_DATABASE_URL"], str(dump)], env)
            build["restore_s"] = round(seconds, 1)
        seconds, _ = run_timed(XINYONG + ["migrate", "-v0"], env)
        return dict(build, reused=str(var), migrate_s=round(seconds, 1))
    if keep and vendor == "sqlite" and (var / "xinyong.sqlite3").exists():
        sys.exit(f"checks bench: {var} holds a database this bench did not finish building; "
                 "remove it or name another directory")
    log("migrate")
    migrate, _ = run_timed(XINYONG + ["migrate", "-v0"], env)
    log(f"demo build --size {size}" + (" (a minute or two)" if size == "medium" else ""))
    demo, _ = run_timed(XINYONG + ["demo", "build", "--size", size, "--no-progress"], env)
    _, out = run_timed(XINYONG + ["clients", "create", "--department", DEPARTMENT, "--scopes",
                                  SCOPES, "--name", "bench/checks.py"], env,
                       stdout=subprocess.PIPE)
    token = next(line.split(":", 1)[1].strip() for line in out.splitlines()
                 if line.startswith("token:"))
    build = {"size": size, "migrate_s": round(migrate, 1), "demo_s": round(demo, 1),
             "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                                   / 1024), "token": token}
    if keep:
        if vendor == "postgresql":
            log(f"dumping the database to {dump}")
            run_timed([str(PGBIN / "pg_dump"), "--format", "custom", "--file", str(dump),
                       env["XINYONG_DATABASE_URL"]], env)
        marker.touch(mode=0o600)
        marker.write_text(json.dumps(build, indent=2))
    return build


def describe_database(vendor: str) -> dict:
    from django.db import connection

    from xinyong.lists.services import effective_entries
    from xinyong.measures.models import Check
    from xinyong.subjects.models import Base, Subject

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version" if vendor == "postgresql"
                       else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
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

class Client:
    """One keep-alive connection posting checks; reconnects once if the server closed it."""

    def __init__(self, port: int, token: str):
        self.port, self.conn = port, None
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                        "Accept": "application/json"}

    def post(self, body: dict) -> tuple[int, float, float | None, bytes]:
        """(status, client ms, server ms from Server-Timing, body)."""
        payload = json.dumps(body, ensure_ascii=False).encode()
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            started = time.perf_counter()
            try:
                self.conn.request("POST", "/api/v1/checks", body=payload, headers=self.headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt:
                    raise
                continue
            except BaseException:
                self.close()
                raise
            elapsed = (time.perf_counter() - started) * 1000
            if response.will_close:
                self.close()
            match = SERVER_TIMING.search(response.getheader("Server-Timing") or "")
            return response.status, elapsed, float(match.group(1)) if match else None, data
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def check_body(codes: list[str], purpose: str) -> dict:
    return {"subjects": [{"code": code} for code in codes], "matter": MATTER,
            "purpose": purpose}


def describe_error(status: int | None, body: bytes | str) -> str:
    text = body.decode(errors="replace") if isinstance(body, bytes) else body
    return f"{status or 'exception'}: {' '.join(text.split())[:300]}"


def summary(server: list[float], client: list[float]) -> dict:
    return {f"{side}_{name}": percentile(values, p) if p else max(values, default=None)
            for side, values in (("server", server), ("client", client))
            for name, p in (("p50", 50), ("p95", 95), ("p99", 99), ("max", None))}


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
            "first_error": first_error, **summary(server, elapsed)}


def load_checks(port: int, token: str, codes: list[tuple[str, str]], clients: int,
                seconds: float) -> dict:
    """`clients` threads, each with its own keep-alive connection, posting single checks."""
    deadline = time.perf_counter() + seconds
    outcomes = [{"server": [], "client": [], "errors": 0, "first_error": None}
                for _ in range(clients)]

    def work(index: int) -> None:
        client, outcome = Client(port, token), outcomes[index]
        n = index * len(codes) // clients
        while time.perf_counter() < deadline:
            code, _kind = codes[n % len(codes)]
            n += 1
            try:
                status, ms, dur, body = client.post(check_body([code], f"bench load {n}"))
            except (OSError, http.client.HTTPException) as exc:
                outcome["errors"] += 1
                outcome["first_error"] = outcome["first_error"] or describe_error(None,
                                                                                  repr(exc))
                client.close()
                continue
            if status != 201 or dur is None:
                outcome["errors"] += 1
                outcome["first_error"] = outcome["first_error"] or describe_error(status, body)
                continue
            outcome["server"].append(dur)
            outcome["client"].append(ms)
        client.close()

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    server = [v for o in outcomes for v in o["server"]]
    client = [v for o in outcomes for v in o["client"]]
    errors = sum(o["errors"] for o in outcomes)
    return {"clients": clients, "seconds": round(wall, 1), "requests": len(server) + errors,
            "errors": errors, "per_second": round((len(server) + errors) / wall, 1),
            "client_cpu_share": round(cpu / wall, 2),
            "first_error": next((o["first_error"] for o in outcomes if o["first_error"]), None),
            **summary(server, client)}


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
    port = free_port()
    with open(var / "bench-server.log", "w") as server_log:
        log(f"starting xinyong serve on port {port}")
        server = start_server(env, port, server_log)
        try:
            # Warm-up, not counted: fresh connections, so both gunicorn workers serve some.
            for n in range(WARM_UP):
                warm = Client(port, token)
                warm.post(check_body([singles[n % len(singles)][0]], "bench warm-up"))
                warm.close()
            log(f"{args.requests:,} sequential single checks")
            latency = sequential(port, token, singles, args.requests)
            log(f"load: {args.clients} clients for {args.seconds} s, single checks")
            loaded = {"checks": load_checks(port, token, singles, args.clients, args.seconds)}
            log(f"load: {args.clients} clients for {args.seconds} s, /healthz")
            loaded["healthz"] = load(port, ["/healthz"], args.clients, args.seconds)
            log(f"{BATCH_RUNS} checks of {len(batch):,} subjects")
            batch_result = batches(port, token, batch, BATCH_RUNS)
        finally:
            stop_server(server)
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


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def verdict(ok: bool | None) -> str:
    return "no data" if ok is None else ("PASS" if ok else "MISS")


def report(results: dict) -> None:
    m, db, build = results["machine"], results["database"], results["build"]
    print(f"machine: {m['cpu_model'] or m['processor']}, {m['cpus']} cores, {m['memory_gib']} "
          f"GiB, {m['platform']}, Python {m['python']}, load average before the measurement "
          f"{' / '.join(map(str, m['load_average']))}")
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

def interrupted(signum, frame):
    raise KeyboardInterrupt


def in_cluster() -> int:
    """Run this script again inside `scripts/with-postgres` (which sets XINYONG_DATABASE_URL
    and removes the cluster when the run ends), in a process group of its own."""
    command = [str(ROOT / "scripts" / "with-postgres"), sys.executable, __file__, *sys.argv[1:]]
    child = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
    while True:
        try:
            return child.wait()
        except KeyboardInterrupt:
            os.killpg(child.pid, signal.SIGINT)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("small", "medium", "city"), default="medium",
                        help="the demo city to build (default medium)")
    parser.add_argument("--requests", type=int, default=2000,
                        help="sequential single checks (default 2000)")
    parser.add_argument("--clients", type=int, default=8, help="client threads of the load")
    parser.add_argument("--seconds", type=float, default=20, help="duration of each load")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--keep", metavar="DIR", help="build into DIR, or reuse what a "
                        "previous run built there")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON "
                        "(- for stdout)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyong.settings")
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupted)
    if args.postgres and "XINYONG_DATABASE_URL" not in os.environ:
        sys.exit(in_cluster())
    vendor = "postgresql" if os.environ.get("XINYONG_DATABASE_URL", "").startswith("postgres") \
        else "sqlite"
    var = Path(args.keep).resolve() if args.keep else \
        Path(tempfile.mkdtemp(prefix="xinyong-checks-"))
    var.mkdir(parents=True, exist_ok=True)
    os.environ["XINYONG_VAR_DIR"] = str(var)
    env = dict(os.environ)
    try:
        build = prepare(var, env, args.size, bool(args.keep), vendor)
        import django

        django.setup()
        settle(vendor)
        database = describe_database(vendor)
        if "reused" in build and build["size"] != args.size:
            log(f"the kept database is the {build['size']} demo; --size {args.size} ignored "
                f"(remove {var} to rebuild)")
        log(f"sampling {args.requests:,} + {BATCH:,} subjects")
        rng = random.Random(SAMPLE_SEED)
        singles = sample_codes(args.requests, rng)
        batch = sample_codes(BATCH, rng)
        from django.db import connection

        connection.close()
        results = {"machine": dict(machine(), cpu_model=cpu_model()), "database": database,
                   "build": {k: v for k, v in build.items() if k != "token"},
                   "options": vars(args),
                   **measure(env, var, build["token"], singles, batch, args)}
    except (subprocess.CalledProcessError, RuntimeError, OSError,
            http.client.HTTPException) as exc:
        server_log = var / "bench-server.log"
        if server_log.exists():
            tail = server_log.read_text(errors="replace").splitlines()[-20:]
            print("\n".join(["server log (last lines):", *tail]), file=sys.stderr)
        sys.exit(f"checks bench: {exc}")
    except KeyboardInterrupt:
        sys.exit("checks bench: interrupted")
    finally:
        if not args.keep:
            shutil.rmtree(var, ignore_errors=True)
    report(results)
    if args.json:
        text = json.dumps(results, ensure_ascii=False, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n")


if __name__ == "__main__":
    main()
