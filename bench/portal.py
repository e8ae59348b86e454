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
import http.client
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
XINYONG = [sys.executable, "-m", "xinyong"]
PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))

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
SERVER_TIMING = re.compile(r"\bdur=([0-9.]+)")
# The public JSON API allows 120 requests a minute per address by default; the bench's server
# allows more, so the sequential JSON row gets --requests answers (the throttle still runs).
API_RATE = "1000000/min"


def log(message: str) -> None:
    print(f"portal bench: {message}", file=sys.stderr, flush=True)


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


def run_timed(command: list[str], env: dict, stdout=subprocess.DEVNULL) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=stdout, text=True)
    return time.perf_counter() - started, done.stdout or ""


def prepare(var: Path, env: dict, organisations: int, keep: bool, vendor: str) -> dict:
    """Build the database into `var` (or reuse the one a --keep run left there)."""
    marker = var / f"bench-portal-{vendor}.json"
    dump = var / "xinyong.pgdump"
    if keep and marker.exists():
        build = json.loads(marker.read_text())
        if vendor == "postgresql":
            log(f"restoring {dump}")
            seconds, _ = run_timed([str(PGBIN / "pg_restore"), "--no-owner", "--jobs", "2",
                                    "--dbname", env["XINYONG_DATABASE_URL"], str(dump)], env)
            build["restore_s"] = round(seconds, 1)
        seconds, _ = run_timed(XINYONG + ["migrate", "-v0"], env)  # no-op unless code moved on
        return dict(build, reused=str(var), migrate_s=round(seconds, 1))
    if keep and (var / "xinyong.sqlite3").exists() and vendor == "sqlite":
        sys.exit(f"portal bench: {var} holds a database this bench did not finish building; "
                 "remove it or name another directory")
    log("migrate")
    migrate, _ = run_timed(XINYONG + ["migrate", "-v0"], env)
    log("demo build --size medium (about a minute)")
    demo, _ = run_timed(XINYONG + ["demo", "build", "--size", "medium", "--no-progress"], env)
    log(f"top-up to {organisations:,} organisations")
    _, out = run_timed([sys.executable, __file__, "--_load", str(organisations)], env,
                       stdout=subprocess.PIPE)
    loaded = json.loads(out.strip().splitlines()[-1])
    build = {"migrate_s": round(migrate, 1), "demo_s": round(demo, 1),
             "topup_added": loaded["added"], "topup_s": loaded["seconds"],
             "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}
    if keep:
        if vendor == "postgresql":
            log(f"dumping the database to {dump}")
            run_timed([str(PGBIN / "pg_dump"), "--format", "custom", "--file", str(dump),
                       env["XINYONG_DATABASE_URL"]], env)
        marker.write_text(json.dumps(build, indent=2))
    return build


def settle(vendor: str) -> None:
    """PostgreSQL: VACUUM ANALYZE once, as autovacuum would soon after a bulk load, so that it
    does not run (and plans do not change) during the measurement. SQLite is left as a
    deployment leaves it (no ANALYZE)."""
    from django.db import connection

    if vendor == "postgresql":
        log("VACUUM ANALYZE")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


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
        if vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM records_record")
        records = cursor.fetchone()[0]
    organisations = Subject.objects.exclude(base=Base.PERSON).count()
    subjects = Subject.objects.count()
    connection.close()
    return {"vendor": vendor, "version": version, "organisations": organisations,
            "subjects": subjects, "records": records}


# ---- HTTP ------------------------------------------------------------------------------------

class Client:
    """One keep-alive connection; reconnects once if the server closed it."""

    def __init__(self, port: int):
        self.port, self.conn = port, None

    def get(self, path: str, close: bool = False) -> tuple[int, float, float | None, bytes]:
        """(status, client ms, server ms from Server-Timing, body)."""
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            started = time.perf_counter()
            try:
                self.conn.request("GET", path, headers={"Connection": "close"} if close else {})
                response = self.conn.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()  # a keep-alive connection the server had closed: once more
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
            return response.status, elapsed, float(match.group(1)) if match else None, body
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict, port: int, logfile) -> subprocess.Popen:
    from xinyong.core.management.commands.serve import _die_with_parent

    # --no-background-worker: serve execs gunicorn, so this pid is gunicorn's master.
    command = XINYONG + ["serve", "--no-background-worker", "--port", str(port),
                         "--workers", "2", "--threads", "4"]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=logfile, stderr=logfile,
                              start_new_session=True, preexec_fn=_die_with_parent)
    deadline = time.monotonic() + 60
    client = Client(port)
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with status {server.returncode}")
        try:
            if client.get("/healthz", close=True)[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not answer /healthz within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def percentile(values: list[float], p: float) -> float | None:
    """Nearest rank."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, -(-len(ordered) * p // 100) - 1))]


def summary(server: list[float], client: list[float]) -> dict:
    return {"server_p50": percentile(server, 50), "server_p95": percentile(server, 95),
            "server_p99": percentile(server, 99), "server_max": max(server, default=None),
            "client_p50": percentile(client, 50), "client_p95": percentile(client, 95)}


def describe_error(path: str, status: int | None, body: bytes | str) -> str:
    text = body.decode(errors="replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())[:300]
    return f"{status or 'exception'} GET {path}: {text}"


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
            first_error = first_error or describe_error(path, None, repr(exc))
            client.close()
            continue
        if status == 429:  # the public API's rate limit: stop this kind rather than wait
            limited = requests - n
            break
        if status != 200 or dur is None:
            errors += 1
            first_error = first_error or describe_error(path, status, body)
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


def load(port: int, paths: list[str], clients: int, seconds: float) -> dict:
    """`clients` threads, each with its own keep-alive connection, for `seconds`."""
    deadline = time.perf_counter() + seconds
    outcomes = [{"server": [], "client": [], "errors": 0, "first_error": None}
                for _ in range(clients)]

    def work(index: int) -> None:
        client, outcome = Client(port), outcomes[index]
        n = index * len(paths) // clients
        while time.perf_counter() < deadline:
            path = paths[n % len(paths)]
            n += 1
            try:
                status, elapsed, dur, body = client.get(path)
            except (OSError, http.client.HTTPException) as exc:
                outcome["errors"] += 1
                outcome["first_error"] = outcome["first_error"] or \
                    describe_error(path, None, repr(exc))
                client.close()
                continue
            if status != 200 or dur is None:
                outcome["errors"] += 1
                outcome["first_error"] = outcome["first_error"] or \
                    describe_error(path, status, body)
                continue
            outcome["server"].append(dur)
            outcome["client"].append(elapsed)
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
    port = free_port()
    with open(var / "bench-server.log", "w") as server_log:
        log(f"starting xinyong serve on port {port}")
        server = start_server(env, port, server_log)
        try:
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
            log(f"load: {args.clients} clients for {args.seconds} s, HTML pages")
            loaded = {"pages": load(port, pages, args.clients, args.seconds)}
            log(f"load: {args.clients} clients for {args.seconds} s, /healthz")
            loaded["healthz"] = load(port, ["/healthz"], args.clients, args.seconds)
        finally:
            stop_server(server)
    return {"latency": latency, "load": loaded}


def machine() -> dict:
    memory = next((int(line.split()[1]) for line in open("/proc/meminfo")
                   if line.startswith("MemTotal")), 0) if Path("/proc/meminfo").exists() else 0
    return {"platform": platform.platform(), "processor": platform.processor()
            or platform.machine(), "cpus": os.cpu_count(), "memory_gib": round(memory / 2**20, 1),
            "python": platform.python_version(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}  # other work on the machine


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def report(results: dict) -> None:
    m, db, build = results["machine"], results["database"], results["build"]
    print(f"machine: {m['processor']}, {m['cpus']} cores, {m['memory_gib']} GiB, "
          f"{m['platform']}, Python {m['python']}, load average before the measurement "
          f"{' / '.join(map(str, m['load_average']))}")
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


def interrupted(signum, frame):
    raise KeyboardInterrupt


def in_cluster() -> int:
    """Run this script again inside `scripts/with-postgres` (which sets XINYONG_DATABASE_URL
    and removes the cluster when the run ends), in a process group of its own: an interrupt
    reaches it as SIGINT, so the run stops its server and with-postgres its cluster."""
    command = [str(ROOT / "scripts" / "with-postgres"), sys.executable, __file__, *sys.argv[1:]]
    child = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
    while True:
        try:
            return child.wait()
        except KeyboardInterrupt:
            os.killpg(child.pid, signal.SIGINT)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=1000, help="per kind of request")
    parser.add_argument("--clients", type=int, default=8, help="client threads of the load")
    parser.add_argument("--seconds", type=float, default=20, help="duration of each load")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--keep", metavar="DIR", help="build into DIR, or reuse what a "
                        "previous run built there")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON "
                        "(- for stdout)")
    parser.add_argument("--_load", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyong.settings")
    if args._load is not None:  # the top-up child
        import django

        django.setup()
        return top_up(args._load)
    # Ctrl-C and SIGTERM alike: stop the server, remove var/ (even if started with SIGINT
    # ignored, as a background job of a script is).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupted)
    if args.postgres and "XINYONG_DATABASE_URL" not in os.environ:
        sys.exit(in_cluster())
    vendor = "postgresql" if os.environ.get("XINYONG_DATABASE_URL", "").startswith("postgres") \
        else "sqlite"
    var = Path(args.keep).resolve() if args.keep else \
        Path(tempfile.mkdtemp(prefix="xinyong-portal-"))
    var.mkdir(parents=True, exist_ok=True)
    os.environ["XINYONG_VAR_DIR"] = str(var)
    env = dict(os.environ)
    env.setdefault("XINYONG_PUBLIC_API_RATE", API_RATE)
    try:
        build = prepare(var, env, args.organisations, bool(args.keep), vendor)
        import django

        django.setup()
        database = describe_database(vendor)
        if "reused" in build and database["organisations"] != args.organisations:
            log(f"the kept database has {database['organisations']:,} organisations; "
                f"--organisations {args.organisations:,} ignored (remove {var} to rebuild)")
        settle(vendor)
        log(f"sampling {args.requests:,} queries per kind")
        queries = sample_queries(args.requests)
        from django.db import connection

        connection.close()
        results = {"machine": machine(), "database": database, "build": build,
                   "api_rate": env["XINYONG_PUBLIC_API_RATE"],
                   "options": {k: v for k, v in vars(args).items() if k != "_load"},
                   **measure(env, var, queries, args)}
    except (subprocess.CalledProcessError, RuntimeError, OSError,
            http.client.HTTPException) as exc:
        server_log = var / "bench-server.log"
        if server_log.exists():
            tail = server_log.read_text(errors="replace").splitlines()[-20:]
            print("\n".join(["server log (last lines):", *tail]), file=sys.stderr)
        sys.exit(f"portal bench: {exc}")
    except KeyboardInterrupt:
        sys.exit("portal bench: interrupted")
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
