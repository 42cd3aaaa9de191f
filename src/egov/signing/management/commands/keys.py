import os
import sys

from django.core.management.base import BaseCommand, CommandError

from egov.core.errors import DomainError
from egov.signing.services import rotate_vault_key


class Command(BaseCommand):
    help = ("Signing key tools. `keys rotate` re-encrypts every stored certificate from the old key "
            "(EGOV_SIGNING_KEY_OLD, or one line on stdin with --old-key-stdin) to the current "
            "EGOV_SIGNING_KEY, in one transaction; safe to run again.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rotate"])
        parser.add_argument("--old-key-stdin", action="store_true",
                            help="read the old key from the first line of stdin (never from arguments)")

    def handle(self, *args, action, old_key_stdin, **options):
        old = sys.stdin.readline() if old_key_stdin else os.environ.get("EGOV_SIGNING_KEY_OLD", "")
        try:
            rotated, unchanged = rotate_vault_key(actor="egov keys rotate", old_secret=old)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Đã mã hóa lại {rotated} chứng thư số bằng khóa mới; "
                          f"{unchanged} chứng thư đã dùng khóa mới từ trước.")
