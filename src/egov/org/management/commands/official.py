import getpass
import os

from django.core.management.base import BaseCommand, CommandError

from egov.core.errors import DomainError
from egov.org.models import Agency
from egov.org.roles import Role
from egov.org.services import create_official


class Command(BaseCommand):
    help = ("Create an official: `official create USERNAME --agency CODE --roles system_admin --name 'Họ tên'`. "
            "The password is read from EGOV_NEW_PASSWORD or asked for; there is no default.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create"])
        parser.add_argument("username")
        parser.add_argument("--agency", required=True, help="agency identifier code")
        parser.add_argument("--roles", required=True, help="comma-separated: " + ", ".join(Role.values))
        parser.add_argument("--name", required=True, help="full name")
        parser.add_argument("--position", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args, action, username, agency, roles, name, position, email, **options):
        found = Agency.objects.filter(code=agency).first()
        if found is None:
            raise CommandError(f"Không tìm thấy cơ quan có mã {agency}.")
        password = os.environ.get("EGOV_NEW_PASSWORD") or getpass.getpass("Mật khẩu: ")
        if len(password) < 10:
            raise CommandError("Mật khẩu cần ít nhất 10 ký tự.")
        try:
            official = create_official(actor=None, agency=found, username=username, full_name=name,
                                       password=password, roles=[r.strip() for r in roles.split(",") if r.strip()],
                                       position=position, email=email)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Đã tạo cán bộ {official.user.username} tại {found.name}.")
