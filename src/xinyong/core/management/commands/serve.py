import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

WORKER = [sys.executable, "-m", "xinyong", "batches", "worker"]
WORKER_GRACE = 10  # seconds a stopping worker may take to finish its task before it is killed
RESTART_DELAY = 5  # seconds between restarts of a background worker that keeps exiting


def _die_with_parent() -> None:
    """In a child before it starts (Linux): be sent SIGTERM if `serve` dies, even by SIGKILL,
    so neither gunicorn nor the worker outlives it."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _stop(process: subprocess.Popen, grace: float) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Command(BaseCommand):
    help = ("Serve the platform with gunicorn (static files through WhiteNoise) and one "
            "background worker for large batches; both stop when serve stops.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
        parser.add_argument("--threads", type=int, default=4, help="threads per worker")
        parser.add_argument("--no-background-worker", action="store_false",
                            dest="background_worker",
                            help="run no batch worker (run `xinyong batches worker` elsewhere)")

    def handle(self, *args, host, port, workers, threads, background_worker, **options):
        argv = [sys.executable, "-m", "gunicorn", "xinyong.wsgi:application",
                "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", str(threads),
                "--access-logfile", "-", "--graceful-timeout", "5"]
        self.stdout.write(f"serving on http://{host}:{port}/")
        self.stdout.flush()
        if not background_worker:
            os.execv(sys.executable, argv)
        self._start_worker()
        web = subprocess.Popen(argv, preexec_fn=_die_with_parent)
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, lambda *_: web.send_signal(signal.SIGTERM))
        try:
            self._supervise(web)
        finally:
            _stop(web, WORKER_GRACE)
            _stop(self.worker, WORKER_GRACE)
        if web.returncode:  # negative: ended by a signal; exit as a shell reports that
            sys.exit(web.returncode if web.returncode > 0 else 128 - web.returncode)

    def _start_worker(self) -> None:
        # A session of its own: a Ctrl-C at the terminal reaches gunicorn only, and serve
        # stops the worker (SIGTERM, then SIGKILL after WORKER_GRACE seconds).
        self.worker = subprocess.Popen(WORKER, start_new_session=True,
                                       preexec_fn=_die_with_parent)
        self.worker_started = time.monotonic()
        self.stdout.write(f"background worker started (pid {self.worker.pid})")
        self.stdout.flush()

    def _supervise(self, web: subprocess.Popen) -> None:
        """Wait for gunicorn to end, restarting the background worker if it exits."""
        while web.poll() is None:
            if self.worker.poll() is not None \
                    and time.monotonic() - self.worker_started >= RESTART_DELAY:
                self.stderr.write(f"background worker exited with status "
                                  f"{self.worker.returncode}; restarting it")
                self._start_worker()
            try:
                web.wait(1)
            except subprocess.TimeoutExpired:
                pass
