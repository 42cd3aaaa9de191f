from django.core.management.base import BaseCommand, CommandError

from egov.core.backup import RestoreMismatch, restore_backup
from egov.core.errors import DomainError


class Command(BaseCommand):
    help = ("Restore an `egov backup` archive into an empty database and storage, then verify "
            "file hashes, row counts and the audit chains; exits non-zero on any mismatch.")

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--force", action="store_true",
                            help="write over a database and storage that already hold data")

    def handle(self, *args, archive, force, **options):
        try:
            report = restore_backup(archive, force=force, progress=lambda line: self.stderr.write(line))
        except RestoreMismatch as exc:
            for problem in exc.problems[:50]:
                self.stderr.write(f"  {problem}")
            raise CommandError(exc.message) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for path in report.keys:
            self.stderr.write(f"Đã đặt khóa vào {path}.")
        self.stdout.write(
            f"Đã phục hồi và kiểm tra: {report.tables} bảng, {report.rows} dòng, {report.files} tệp "
            f"({report.bytes / 1e6:.1f} MB), {report.audit_entries} mục nhật ký, chuỗi nhật ký nguyên vẹn.")
