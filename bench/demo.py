"""Time and peak memory of `xinyong demo build` into a fresh database.

    python bench/demo.py                  # --size medium on SQLite
    python bench/demo.py --size city      # the real size of the seed plan (slow)
    python bench/demo.py --postgres       # the same against a throwaway PostgreSQL cluster

Each build runs in a child process with its own var/ directory; peak memory is the child's
maximum resident set size.
"""

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
XINYONG = [sys.executable, "-m", "xinyong"]


def run(args, env):
    subprocess.run(XINYONG + args, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def build(size: str, postgres: bool) -> dict:
    var = tempfile.mkdtemp(prefix="xinyong-bench-")
    env = dict(os.environ, XINYONG_VAR_DIR=var)
    command = XINYONG + ["demo", "build", "--size", size, "--no-progress"]
    if postgres:
        # with-postgres sets XINYONG_DATABASE_URL; migrate and build inside one cluster.
        script = (f"{' '.join(XINYONG)} migrate -v0 && {' '.join(command)}")
        command = [str(ROOT / "scripts" / "with-postgres"), "bash", "-c", script]
    else:
        run(["migrate", "-v0"], env)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    database = Path(var) / "xinyong.sqlite3"
    sqlite_bytes = database.stat().st_size if database.exists() else None
    shutil.rmtree(var)
    return {
        "size": size,
        "database": "postgresql" if postgres else "sqlite",
        "seconds": round(seconds, 1),
        "peak_mib": round(max(peak_kib, before) / 1024),
        "sqlite_mib": round(sqlite_bytes / 2**20) if sqlite_bytes else None,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="medium", choices=["small", "medium", "city"])
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyong.settings")
    import django

    django.setup()
    from xinyong.demo.generator import SIZES

    size = SIZES[args.size]
    subjects = size.enterprises + size.non_enterprises + size.persons
    result = build(args.size, args.postgres)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print("| size | database | subjects | seconds | subjects/s | peak RSS MiB | db file MiB |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {result['size']} | {result['database']} | {subjects:,} | {result['seconds']} | "
          f"{subjects / result['seconds']:,.0f} | {result['peak_mib']} | "
          f"{result['sqlite_mib'] or '-'} |")


if __name__ == "__main__":
    main()
