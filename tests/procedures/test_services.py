from decimal import Decimal

import pytest

from egov.core.errors import PermissionDenied, ValidationError
from egov.core.models import AuditEntry
from egov.org.roles import Role
from egov.procedures import selectors, services
from egov.procedures.models import AgencyProcedure, Procedure, Process
from tests.factories import make_agency, make_official
from tests.procedures.conftest import STEPS, procedure_data

OWN_STEPS = [
    {"name": "Tiếp nhận", "role": Role.COUNTER_OFFICER, "share": "1"},
    {"name": "Xử lý", "role": Role.SPECIALIST, "share": "3"},
]


def test_create_procedure_with_papers_fees_and_default_process(procedure):
    assert procedure.papers.count() == 2
    assert procedure.fees.get().amount == 8000
    process = selectors.process_for(procedure, None)
    assert [s.role for s in process.steps.all()] == [Role.COUNTER_OFFICER, Role.SPECIALIST, Role.LEADER,
                                                     Role.COUNTER_OFFICER]
    assert sum(s.share for s in process.steps.all()) == procedure.resolution_time
    assert AuditEntry.objects.filter(action="procedure.created", object_id=str(procedure.pk)).exists()


@pytest.mark.parametrize("shares,words", [
    (["0.5", "2", "1"], "còn thiếu 0,5 ngày làm việc"),
    (["1", "2", "1", "1"], "vượt 1 ngày làm việc"),
])
def test_step_shares_must_add_up_to_the_resolution_time(procedure, shares, words):
    steps = [dict(step, share=share) for step, share in zip(STEPS, shares)]
    with pytest.raises(ValidationError) as exc:
        services.set_process(actor=None, procedure=procedure, agency=None, steps=steps)
    assert words in exc.value.message and "4 ngày làm việc" in exc.value.message


def test_step_role_must_be_a_processing_role(procedure):
    steps = [dict(STEPS[0], role=Role.AGENCY_ADMIN), *STEPS[1:]]
    with pytest.raises(ValidationError) as exc:
        services.set_process(actor=None, procedure=procedure, agency=None, steps=steps)
    assert "Bước 1" in exc.value.message and "Quản trị đơn vị" in exc.value.message
    with pytest.raises(ValidationError):
        services.set_process(actor=None, procedure=procedure, agency=None,
                             steps=[dict(STEPS[0], role="cashier"), *STEPS[1:]])


def test_create_refuses_bad_steps_and_writes_nothing(db):
    with pytest.raises(ValidationError):
        services.create_procedure(actor=None, code="9.999", data=procedure_data(),
                                  steps=[{"name": "Xử lý", "role": Role.SPECIALIST, "share": "3"}])
    assert not Procedure.objects.filter(code="9.999").exists()


def test_level_4_must_be_full_online(db):
    with pytest.raises(ValidationError) as exc:
        services.create_procedure(actor=None, code="9.998", data=procedure_data(online_service="partial"))
    assert "toàn trình" in exc.value.message


def test_agency_adopts_with_its_own_process(procedure, agency, other_agency):
    admin = make_official(Role.AGENCY_ADMIN, agency=agency)
    services.adopt_procedure(actor=admin, agency=agency, procedure=procedure, steps=OWN_STEPS)
    services.adopt_procedure(actor=None, agency=other_agency, procedure=procedure)
    own = selectors.process_for(procedure, agency)
    assert own.agency == agency and [s.name for s in own.steps.all()] == ["Tiếp nhận", "Xử lý"]
    assert selectors.process_for(procedure, other_agency).agency is None
    assert AuditEntry.objects.filter(action="procedure.adopted", agency=agency).exists()
    entry = AuditEntry.objects.get(action="procedure.process_set", agency=agency)
    assert entry.actor == admin and entry.summary["procedure"] == procedure.code
    assert {a.code for a in selectors.agencies_for(procedure)} == {agency.code, other_agency.code}


def test_adoption_with_bad_process_writes_nothing(procedure, agency):
    with pytest.raises(ValidationError):
        services.adopt_procedure(actor=None, agency=agency, procedure=procedure, steps=OWN_STEPS[:1])
    assert not AgencyProcedure.objects.filter(agency=agency).exists()


def test_another_agencys_admin_is_refused(procedure, agency, other_agency):
    outsider = make_official(Role.AGENCY_ADMIN, agency=other_agency)
    with pytest.raises(PermissionDenied):
        services.adopt_procedure(actor=outsider, agency=agency, procedure=procedure)
    services.adopt_procedure(actor=None, agency=agency, procedure=procedure)
    with pytest.raises(PermissionDenied):
        services.set_process(actor=outsider, procedure=procedure, agency=agency, steps=OWN_STEPS)
    assert not Process.objects.filter(agency=agency).exists()


def test_agency_admin_acts_for_agencies_below(procedure, agency):
    child = make_agency(parent=agency, name="Bộ phận trực thuộc")
    admin = make_official(Role.AGENCY_ADMIN, agency=agency)
    services.adopt_procedure(actor=admin, agency=child, procedure=procedure, steps=OWN_STEPS)
    assert selectors.process_for(procedure, child).agency == child


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.LEADER, Role.COUNTER_OFFICER, Role.CLERK])
def test_processing_roles_cannot_manage_procedures(procedure, agency, role):
    with pytest.raises(PermissionDenied):
        services.adopt_procedure(actor=make_official(role, agency=agency), agency=agency, procedure=procedure)


def test_only_system_admin_edits_the_shared_catalogue(procedure, agency):
    admin = make_official(Role.AGENCY_ADMIN, agency=agency)
    with pytest.raises(PermissionDenied):
        services.update_procedure(actor=admin, procedure=procedure, data={"name": "Khác"})
    with pytest.raises(PermissionDenied):
        services.set_process(actor=admin, procedure=procedure, agency=None, steps=STEPS)
    root = make_official(Role.SYSTEM_ADMIN, agency=agency)
    services.update_procedure(actor=root, procedure=procedure, data={"name": "Đăng ký khai sinh (sửa)"})
    procedure.refresh_from_db()
    assert procedure.name == "Đăng ký khai sinh (sửa)" and procedure.name_folded.startswith("dang ky khai sinh")
    entry = AuditEntry.objects.get(action="procedure.updated")
    assert entry.actor == root and entry.summary["changed"] == ["name"]


def test_set_process_needs_adoption_first(procedure, agency):
    with pytest.raises(ValidationError) as exc:
        services.set_process(actor=None, procedure=procedure, agency=agency, steps=OWN_STEPS)
    assert "chưa thực hiện" in exc.value.message


def test_changing_the_time_must_keep_processes_consistent(procedure, agency):
    services.adopt_procedure(actor=None, agency=agency, procedure=procedure, steps=OWN_STEPS)
    with pytest.raises(ValidationError) as exc:
        services.update_procedure(actor=None, procedure=procedure, data={"resolution_time": Decimal(5)},
                                  steps=[dict(STEPS[1], share="5")])
    assert agency.name in exc.value.message
    procedure.refresh_from_db()
    assert procedure.resolution_time == 4
    services.reset_process(actor=None, procedure=procedure, agency=agency)
    services.update_procedure(actor=None, procedure=procedure, data={"resolution_time": Decimal(5)},
                              steps=[dict(STEPS[1], share="5")])
    assert [s.share for s in selectors.process_for(procedure, agency).steps.all()] == [5]


def test_updating_steps_keeps_step_ids_when_only_text_changes(procedure):
    before = list(selectors.process_for(procedure, None).steps.values_list("id", flat=True))
    steps = [dict(step, name=step["name"] + " (sửa)") for step in STEPS]
    services.set_process(actor=None, procedure=procedure, agency=None, steps=steps)
    after = list(selectors.process_for(procedure, None).steps.values_list("id", flat=True))
    assert before == after


def test_unchanged_process_leaves_no_audit_entry(procedure):
    count = AuditEntry.objects.count()
    services.set_process(actor=None, procedure=procedure, agency=None, steps=STEPS)
    assert AuditEntry.objects.count() == count


def test_withdrawn_procedure_leaves_the_agency(procedure, agency):
    services.adopt_procedure(actor=None, agency=agency, procedure=procedure)
    services.withdraw_procedure(actor=None, agency=agency, procedure=procedure)
    assert not selectors.search_procedures("", agency=agency).exists()
