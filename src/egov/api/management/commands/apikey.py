from django.core.management.base import BaseCommand, CommandError

from egov.api.services import create_api_key
from egov.core.errors import DomainError
from egov.org.models import Agency


class Command(BaseCommand):
    help = "Create an API key: `apikey create NAME --agency CODE --scopes S1,S2` (key on the last line)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create"])
        parser.add_argument("name")
        parser.add_argument("--agency", required=True, help="agency identifier code")
        parser.add_argument("--scopes", required=True, help="comma-separated scopes")
        parser.add_argument("--rate-limit", type=int, default=None, help="requests per minute (default: none)")

    def handle(self, *args, action, name, agency, scopes, rate_limit=None, **options):
        found = Agency.objects.filter(code=agency).first()
        if found is None:
            raise CommandError(f"Không tìm thấy cơ quan có mã {agency}.")
        try:
            key, raw = create_api_key(actor=None, name=name, agency=found,
                                      scopes=[s.strip() for s in scopes.split(",") if s.strip()],
                                      rate_limit=rate_limit)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Đã tạo khóa API '{key.name}' cho {found.name}, phạm vi: {', '.join(key.scopes)}.")
        self.stdout.write("Lưu khóa này ngay; nó không được hiển thị lại:")
        self.stdout.write(raw)
