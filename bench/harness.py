"""What the HTTP benches (bench/portal.py, bench/checks.py) share: building the database in a
child var/ directory (or reusing what a --keep run left there), the server on a loopback port,
a keep-alive client, the load of client threads, percentiles, and the run around them."""

import argparse
import http.client
import json
import os
import platform
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
XINYONG = [sys.executable, "-m", "xinyong"]
PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))
SERVER_LOG = "bench-server.log"
SERVER_TIMING = re.compile(r"\bdur=([0-9.]+)")  # the app's own time: `app;dur=<ms>`


def logger(name: str) -> Callable[[str], None]:
    """A function printing a bench's progress to stderr, prefixed with `name bench:`."""
    def log(message: str) -> None:
        print(f"{name} bench: {message}", file=sys.stderr, flush=True)

    return log


# ---- building the database ------------------------------------------------------------------

def run_timed(command: list[str], env: dict, stdout=subprocess.DEVNULL) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=stdout, text=True)
    return time.perf_counter() - started, done.stdout or ""


def prepare(name: str, var: Path, env: dict, keep: bool, vendor: str,
            build: Callable[[float], dict]) -> dict:
    """Build the database into `var` (or reuse the one a --keep run left there): `xinyong
    migrate`, then `build(seconds migrate took)`, which does the rest and returns what to
    report of it (and, with --keep, remember for the next run)."""
    log = logger(name)
    marker = var / f"bench-{name}-{vendor}.json"
    dump = var / "xinyong.pgdump"
    if keep and marker.exists():
        built = json.loads(marker.read_text())
        if vendor == "postgresql":
            log(f"restoring {dump}")
            seconds, _ = run_timed([str(PGBIN / "pg_restore"), "--no-owner", "--jobs", "2",
                                    "--dbname", env["XINYONG_DATABASE_URL"], str(dump)], env)
            built["restore_s"] = round(seconds, 1)
        seconds, _ = run_timed(XINYONG + ["migrate", "-v0"], env)  # no-op unless code moved on
        return dict(built, reused=str(var), migrate_s=round(seconds, 1))
    if keep and vendor == "sqlite" and (var / "xinyong.sqlite3").exists():
        sys.exit(f"{name} bench: {var} holds a database this bench did not finish building; "
                 "remove it or name another directory")
    log("migrate")
    migrate, _ = run_timed(XINYONG + ["migrate", "-v0"], env)
    built = dict(build(round(migrate, 1)),
                 peak_rss_mib=round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                                    / 1024))
    if keep:
        if vendor == "postgresql":
            log(f"dumping the database to {dump}")
            run_timed([str(PGBIN / "pg_dump"), "--format", "custom", "--file", str(dump),
                       env["XINYONG_DATABASE_URL"]], env)
        marker.touch(mode=0o600)  # it may hold a token
        marker.write_text(json.dumps(built, indent=2))
    return built


def settle(name: str, vendor: str) -> None:
    """PostgreSQL: VACUUM ANALYZE once, as autovacuum would soon after a bulk load, so that it
    does not run (and plans do not change) during the measurement. SQLite is left as a
    deployment leaves it (no ANALYZE)."""
    from django.db import connection

    if vendor == "postgresql":
        logger(name)("VACUUM ANALYZE")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def database_version(cursor, vendor: str) -> str:
    cursor.execute("SHOW server_version" if vendor == "postgresql" else "SELECT sqlite_version()")
    return cursor.fetchone()[0]


# ---- HTTP ------------------------------------------------------------------------------------

def describe_error(status: int | None, body: bytes | str, request: str = "") -> str:
    text = body.decode(errors="replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())[:300]
    return f"{status or 'exception'}{f' {request}' if request else ''}: {text}"


class Client:
    """One keep-alive connection; reconnects once if the server closed it.

    `load` asks a client for `send` and `failure`, and expects status `OK`; this one GETs the
    paths it is given."""

    OK = 200

    def __init__(self, port: int, headers: dict | None = None):
        self.port, self.conn, self.headers = port, None, headers or {}

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, float, float | None, bytes]:
        """(status, client ms, server ms from Server-Timing, body)."""
        headers = {**self.headers, **(headers or {})}
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
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
            return response.status, elapsed, float(match.group(1)) if match else None, data
        raise AssertionError("unreachable")

    def get(self, path: str, close: bool = False) -> tuple[int, float, float | None, bytes]:
        return self.request("GET", path, headers={"Connection": "close"} if close else {})

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def send(self, item, n: int) -> tuple[int, float, float | None, bytes]:
        """Request number `n` of a load, for `item` (here a path)."""
        return self.get(item)

    def failure(self, item, status: int | None, body: bytes | str) -> str:
        return describe_error(status, body, f"GET {item}")


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


@contextmanager
def serving(name: str, env: dict, var: Path) -> Iterator[int]:
    """`xinyong serve` on a free loopback port (yielded), its output in var/bench-server.log."""
    port = free_port()
    with open(var / SERVER_LOG, "w") as server_log:
        logger(name)(f"starting xinyong serve on port {port}")
        server = start_server(env, port, server_log)
        try:
            yield port
        finally:
            stop_server(server)


# ---- measuring -------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float | None:
    """Nearest rank."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, -(-len(ordered) * p // 100) - 1))]


def summary(server: list[float], client: list[float], *, client_tail: bool = False) -> dict:
    """p50, p95, p99 and the maximum of the server's times; p50 and p95 of the client's, and
    with `client_tail` its p99 and maximum too."""
    result = {"server_p50": percentile(server, 50), "server_p95": percentile(server, 95),
              "server_p99": percentile(server, 99), "server_max": max(server, default=None),
              "client_p50": percentile(client, 50), "client_p95": percentile(client, 95)}
    if client_tail:
        result.update(client_p99=percentile(client, 99), client_max=max(client, default=None))
    return result


def load(connect: Callable[[], Client], items: list, clients: int, seconds: float, *,
         client_tail: bool = False) -> dict:
    """`clients` threads, each with its own keep-alive connection (`connect()`), for `seconds`,
    each cycling through `items` from its own offset."""
    deadline = time.perf_counter() + seconds
    outcomes = [{"server": [], "client": [], "errors": 0, "first_error": None}
                for _ in range(clients)]

    def work(index: int) -> None:
        client, outcome = connect(), outcomes[index]
        n = index * len(items) // clients
        while time.perf_counter() < deadline:
            item = items[n % len(items)]
            n += 1
            try:
                status, elapsed, dur, body = client.send(item, n)
            except (OSError, http.client.HTTPException) as exc:
                outcome["errors"] += 1
                outcome["first_error"] = outcome["first_error"] or \
                    client.failure(item, None, repr(exc))
                client.close()
                continue
            if status != client.OK or dur is None:
                outcome["errors"] += 1
                outcome["first_error"] = outcome["first_error"] or \
                    client.failure(item, status, body)
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
            **summary(server, client, client_tail=client_tail)}


# ---- the report ------------------------------------------------------------------------------

def machine() -> dict:
    memory = next((int(line.split()[1]) for line in open("/proc/meminfo")
                   if line.startswith("MemTotal")), 0) if Path("/proc/meminfo").exists() else 0
    return {"platform": platform.platform(), "processor": platform.processor()
            or platform.machine(), "cpus": os.cpu_count(), "memory_gib": round(memory / 2**20, 1),
            "python": platform.python_version(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}  # other work on the machine


def machine_line(m: dict) -> str:
    """The report's first line, from `machine()` (and a `cpu_model` where one was added)."""
    return (f"machine: {m.get('cpu_model') or m['processor']}, {m['cpus']} cores, "
            f"{m['memory_gib']} GiB, {m['platform']}, Python {m['python']}, load average "
            f"before the measurement {' / '.join(map(str, m['load_average']))}")


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


# ---- the run ---------------------------------------------------------------------------------

def add_options(parser: argparse.ArgumentParser) -> None:
    """The options every HTTP bench has, after its own: the load, and those `run` reads."""
    parser.add_argument("--clients", type=int, default=8, help="client threads of the load")
    parser.add_argument("--seconds", type=float, default=20, help="duration of each load")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--keep", metavar="DIR", help="build into DIR, or reuse what a "
                        "previous run built there")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON "
                        "(- for stdout)")


def interrupted(signum, frame):
    raise KeyboardInterrupt


def in_cluster(script: str) -> int:
    """Run `script` again inside `scripts/with-postgres` (which sets XINYONG_DATABASE_URL and
    removes the cluster when the run ends), in a process group of its own: an interrupt
    reaches it as SIGINT, so the run stops its server and with-postgres its cluster."""
    command = [str(ROOT / "scripts" / "with-postgres"), sys.executable, script, *sys.argv[1:]]
    child = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
    while True:
        try:
            return child.wait()
        except KeyboardInterrupt:
            os.killpg(child.pid, signal.SIGINT)


def run(name: str, script: str, args, collect: Callable[..., dict],
        report: Callable[[dict], None]) -> None:
    """The run of a bench whose options include --postgres, --keep and --json: with
    --postgres, run `script` again inside a throwaway cluster; otherwise point
    XINYONG_VAR_DIR at a new directory (or the --keep one), `collect(args, var, env, vendor)`
    the results, remove the directory (unless kept), `report` them and write the JSON. An error
    ends the run with the tail of the server's log."""
    # Ctrl-C and SIGTERM alike: stop the server, remove var/ (even if started with SIGINT
    # ignored, as a background job of a script is).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupted)
    if args.postgres and "XINYONG_DATABASE_URL" not in os.environ:
        sys.exit(in_cluster(script))
    vendor = "postgresql" if os.environ.get("XINYONG_DATABASE_URL", "").startswith("postgres") \
        else "sqlite"
    var = Path(args.keep).resolve() if args.keep else \
        Path(tempfile.mkdtemp(prefix=f"xinyong-{name}-"))
    var.mkdir(parents=True, exist_ok=True)
    os.environ["XINYONG_VAR_DIR"] = str(var)
    env = dict(os.environ)
    try:
        results = collect(args, var, env, vendor)
    except (subprocess.CalledProcessError, RuntimeError, OSError,
            http.client.HTTPException) as exc:
        server_log = var / SERVER_LOG
        if server_log.exists():
            tail = server_log.read_text(errors="replace").splitlines()[-20:]
            print("\n".join(["server log (last lines):", *tail]), file=sys.stderr)
        sys.exit(f"{name} bench: {exc}")
    except KeyboardInterrupt:
        sys.exit(f"{name} bench: interrupted")
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
