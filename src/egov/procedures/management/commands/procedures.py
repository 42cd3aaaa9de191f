"""`egov manage procedures export FILE` / `egov manage procedures import FILE`: the catalogue as Excel."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from egov.procedures.excel import (
    CatalogueImportError,
    export_catalogue,
    import_catalogue,
)


class Command(BaseCommand):
    help = "Xuất hoặc nhập danh mục thủ tục hành chính dạng Excel (.xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["import", "export"])
        parser.add_argument("file", help="Đường dẫn tệp .xlsx")

    def handle(self, *args, action, file, **options):
        path = Path(file)
        if action == "export":
            path.write_bytes(export_catalogue())
            self.stdout.write(f"Đã xuất danh mục thủ tục ra {path}.")
            return
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.")
        try:
            with path.open("rb") as handle:
                result = import_catalogue(actor=None, file=handle)
        except CatalogueImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Tệp có {len(exc.errors)} lỗi; chưa nhập dữ liệu nào.") from exc
        self.stdout.write(f"Đã nhập: {len(result.created)} thủ tục mới, {len(result.updated)} cập nhật, "
                          f"{len(result.unchanged)} không đổi.")
