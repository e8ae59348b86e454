import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the platform with gunicorn (static files through WhiteNoise)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
        parser.add_argument("--threads", type=int, default=4, help="threads per worker")

    def handle(self, *args, host, port, workers, threads, **options):
        argv = [sys.executable, "-m", "gunicorn", "xinyong.wsgi:application",
                "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", str(threads),
                "--access-logfile", "-", "--graceful-timeout", "5"]
        self.stdout.write(f"serving on http://{host}:{port}/")
        self.stdout.flush()
        os.execv(sys.executable, argv)
