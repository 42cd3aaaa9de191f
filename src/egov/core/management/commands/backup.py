from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from egov.core.backup import SECRETS_NOTE, create_backup
from egov.core.errors import DomainError


class Command(BaseCommand):
    help = ("Write one archive (database snapshot, stored files, keys, manifest). "
            "A name ending in .tar.gz or .tar.xz compresses it.")

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="archive file (default: egov-backup-<time>.tar.gz here)")
        parser.add_argument("--without-keys", action="store_true",
                            help="leave the signing key out (keep EGOV_SIGNING_KEY elsewhere)")

    def handle(self, *args, output, without_keys, **options):
        output = Path(output or f"egov-backup-{timezone.now():%Y%m%d-%H%M%S}.tar.gz")
        try:
            manifest = create_backup(output, include_keys=not without_keys,
                                     progress=lambda line: self.stderr.write(line))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if manifest["contains_secrets"]:
            self.stderr.write("LƯU Ý: " + SECRETS_NOTE)
        self.stdout.write(str(output))
