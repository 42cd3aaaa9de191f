from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from egov.core.demo import DEMO_PASSWORD, demo_accounts, load_all
from egov.core.errors import DomainError


class Command(BaseCommand):
    help = "Migrate the database and load the demo province once (idempotent)."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        try:
            loaded = load_all(lambda line: self.stdout.write(line))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if not loaded:
            self.stdout.write("Dữ liệu mẫu đã có sẵn; không nạp lại.")
        self.stdout.write(f"\nTài khoản trình diễn (mật khẩu chung: {DEMO_PASSWORD}):")
        for line in demo_accounts():
            self.stdout.write("  " + line)
