import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from egov.core.errors import PermissionDenied
from egov.core.models import AuditEntry
from egov.org.roles import Role
from egov.procedures import excel, selectors, services
from egov.procedures.models import Procedure, ProcessStep
from tests.factories import make_official
from tests.procedures.test_services import OWN_STEPS


@pytest.fixture
def catalogue(make_procedure, agency):
    birth = make_procedure()
    services.adopt_procedure(actor=None, agency=agency, procedure=birth, steps=OWN_STEPS)
    make_procedure(code="2.000815", name="Chứng thực bản sao từ bản chính", time_unit="hours",
                   resolution_time=8, online_level=2, online_service="none",
                   field=services.get_or_create_field("CT", "Chứng thực"), fees=[
                       {"kind": "fee", "name": "Phí chứng thực", "amount": 2000, "note": "mỗi trang"}],
                   steps=[{"name": "Tiếp nhận", "role": Role.COUNTER_OFFICER, "share": "0.5"},
                          {"name": "Chứng thực", "role": Role.LEADER, "share": "7.5"}])
    return birth


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def sheet_values(data: bytes) -> dict:
    book = workbook(data)
    return {name: [list(r) for r in book[name].iter_rows(values_only=True)] for name in book.sheetnames}


def test_export_has_four_sheets_with_every_record(catalogue, agency):
    values = sheet_values(excel.export_catalogue())
    assert list(values) == ["Thủ tục", "Thành phần hồ sơ", "Phí, lệ phí", "Quy trình"]
    procedures = {row[0]: row for row in values["Thủ tục"][1:]}
    assert procedures["1.001193"][4] == "Cấp xã" and procedures["1.001193"][15] == agency.code
    assert procedures["2.000815"][7] == 8 and procedures["2.000815"][8] == "giờ làm việc"
    assert len(values["Thành phần hồ sơ"]) == 1 + 4
    assert ["2.000815", "Phí", "Phí chứng thực", 2000, "mỗi trang"] in values["Phí, lệ phí"]
    steps = values["Quy trình"][1:]
    assert ["1.001193", None, 1, "Tiếp nhận hồ sơ", "Cán bộ một cửa", None, 0.5] in steps
    assert ["1.001193", agency.code, 2, "Xử lý", "Chuyên viên", None, 3] in steps


def test_reimporting_the_export_changes_nothing(catalogue):
    data = excel.export_catalogue()
    result = excel.import_catalogue(actor=None, file=io.BytesIO(data))
    assert result.created == [] and result.updated == [] and len(result.unchanged) == 2
    assert excel.export_catalogue() != b"" and sheet_values(excel.export_catalogue()) == sheet_values(data)


def test_import_into_an_empty_catalogue_recreates_it(catalogue, agency):
    data = excel.export_catalogue()
    Procedure.objects.all().delete()
    result = excel.import_catalogue(actor=None, file=io.BytesIO(data))
    assert sorted(result.created) == ["1.001193", "2.000815"]
    assert sheet_values(excel.export_catalogue()) == sheet_values(data)
    assert selectors.process_for(selectors.procedure_by_code("1.001193"), agency).agency == agency
    assert AuditEntry.objects.filter(action="procedures.imported").exists()


def test_import_updates_by_code(catalogue):
    book = workbook(excel.export_catalogue())
    book["Thủ tục"]["B2"] = "Đăng ký khai sinh (cập nhật)"
    book["Phí, lệ phí"]["D2"] = "10.000"
    buffer = io.BytesIO()
    book.save(buffer)
    step_ids = set(ProcessStep.objects.values_list("id", flat=True))
    result = excel.import_catalogue(actor=None, file=io.BytesIO(buffer.getvalue()))
    assert result.updated == ["1.001193"]
    catalogue.refresh_from_db()
    assert catalogue.name == "Đăng ký khai sinh (cập nhật)" and catalogue.fees.get().amount == 10000
    assert set(ProcessStep.objects.values_list("id", flat=True)) == step_ids


def broken_file(catalogue_data: bytes) -> bytes:
    book = workbook(catalogue_data)
    procedures = book["Thủ tục"]
    procedures["H3"] = -2                          # row 3: negative time
    procedures["B2"] = "Tên mới không được lưu"     # row 2 is fine on its own
    book["Thành phần hồ sơ"]["A3"] = "9.999999"    # unknown procedure
    book["Quy trình"]["E2"] = "Thủ quỹ"            # not a role
    book["Quy trình"].append(["1.001193", "", 5, "Bước thừa", "Lãnh đạo", "", 1])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_bad_import_reports_every_row_and_writes_nothing(catalogue):
    before = sheet_values(excel.export_catalogue())
    audit = AuditEntry.objects.count()
    with pytest.raises(excel.CatalogueImportError) as exc:
        excel.import_catalogue(actor=None, file=io.BytesIO(broken_file(excel.export_catalogue())))
    messages = [str(e) for e in exc.value.errors]
    assert "[Thủ tục] Dòng 3, cột 'Thời hạn': phải là số dương" in messages
    assert any(m.startswith("[Thành phần hồ sơ] Dòng 3, cột 'Mã thủ tục': mã thủ tục 9.999999") for m in messages)
    assert any(m.startswith("[Quy trình] Dòng 2, cột 'Vai trò'") for m in messages)
    assert any("vượt 1 ngày làm việc" in m for m in messages)
    assert exc.value.message.startswith("Tệp có ") and "chưa nhập dữ liệu nào" in exc.value.message
    assert sheet_values(excel.export_catalogue()) == before
    assert AuditEntry.objects.count() == audit


def test_time_change_that_breaks_an_agency_process_writes_nothing(catalogue, agency):
    book = workbook(excel.export_catalogue())
    book["Thủ tục"]["H2"] = 5
    steps = book["Quy trình"]
    for row in steps.iter_rows(min_row=2):
        if row[0].value == "1.001193" and not row[1].value and row[2].value == 2:
            row[6].value = 3                            # default process now adds up to 5
    # The agency's own process is not in the file, so it stays, and no longer adds up.
    for index in reversed([r[0].row for r in steps.iter_rows(min_row=2) if r[1].value == agency.code]):
        steps.delete_rows(index)
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(excel.CatalogueImportError) as exc:
        excel.import_catalogue(actor=None, file=io.BytesIO(buffer.getvalue()))
    assert any("Dòng 2, cột 'Thời hạn'" in str(e) and agency.name in str(e) for e in exc.value.errors)
    catalogue.refresh_from_db()
    assert catalogue.resolution_time == 4


def test_not_an_excel_file(db):
    with pytest.raises(excel.CatalogueImportError) as exc:
        excel.import_catalogue(actor=None, file=io.BytesIO(b"not a workbook"))
    assert "không đọc được" in exc.value.message


def test_missing_sheet_and_column(db):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Thủ tục"
    book.active.append(["Mã thủ tục", "Tên thủ tục"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(excel.CatalogueImportError) as exc:
        excel.import_catalogue(actor=None, file=io.BytesIO(buffer.getvalue()))
    messages = [str(e) for e in exc.value.errors]
    assert "[Thủ tục] Dòng 1, cột 'Thời hạn': thiếu cột này ở dòng tiêu đề" in messages
    assert "[Quy trình] Tệp: thiếu trang tính này" in messages


def test_only_system_admin_imports(catalogue, agency):
    with pytest.raises(PermissionDenied):
        excel.import_catalogue(actor=make_official(Role.AGENCY_ADMIN, agency=agency),
                               file=io.BytesIO(excel.export_catalogue()))


def test_management_command_round_trip(catalogue, tmp_path, capsys):
    path = tmp_path / "danh-muc.xlsx"
    call_command("procedures", "export", str(path))
    call_command("procedures", "import", str(path))
    assert "0 thủ tục mới, 0 cập nhật, 2 không đổi" in capsys.readouterr().out
    path.write_bytes(broken_file(path.read_bytes()))
    with pytest.raises(CommandError):
        call_command("procedures", "import", str(path))
    assert "Dòng 3, cột 'Thời hạn'" in capsys.readouterr().err


def test_an_adoption_by_import_is_audited_like_one_on_the_page(catalogue, agency, other_agency):
    admin = make_official(Role.SYSTEM_ADMIN, agency=agency)
    book = workbook(excel.export_catalogue())
    sheet = book["Thủ tục"]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "2.000815")
    sheet.cell(row, 16).value = other_agency.code
    buffer = io.BytesIO()
    book.save(buffer)
    result = excel.import_catalogue(actor=admin, file=io.BytesIO(buffer.getvalue()))
    assert result.updated == ["2.000815"]
    entry = AuditEntry.objects.get(action="procedure.adopted", agency=other_agency)
    assert entry.actor == admin and entry.summary == {"procedure": "2.000815"}
    # Importing the same workbook again adopts nothing more.
    excel.import_catalogue(actor=admin, file=io.BytesIO(buffer.getvalue()))
    assert AuditEntry.objects.filter(action="procedure.adopted", agency=other_agency).count() == 1


def test_import_cannot_give_agencies_a_procedure_no_longer_in_force(catalogue, other_agency):
    book = workbook(excel.export_catalogue())
    sheet = book["Thủ tục"]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "2.000815")
    headers = [c.value for c in sheet[1]]
    sheet.cell(row, headers.index("Đang áp dụng") + 1).value = "Không"
    sheet.cell(row, 16).value = other_agency.code
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(excel.CatalogueImportError) as refused:
        excel.import_catalogue(actor=None, file=io.BytesIO(buffer.getvalue()))
    assert "không còn áp dụng" in str(refused.value.errors)
    assert not other_agency.procedure_links.exists()
