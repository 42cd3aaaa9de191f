import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from egov.org import demo as org_demo
from egov.procedures import demo, excel, selectors
from egov.procedures.data.catalogue import PROCEDURES
from egov.procedures.models import AgencyProcedure, Procedure, Process
from egov.procedures.services import PROCESS_ROLES

FIXTURE = Path(__file__).parents[1] / "fixtures" / "procedures" / "demo_catalogue.xlsx"


@pytest.fixture
def demo_catalogue(db):
    org_demo.load(lambda line: None)
    demo.load(lambda line: None)


def values(data) -> dict:
    book = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data, read_only=True)
    return {name: [list(r) for r in book[name].iter_rows(values_only=True)] for name in book.sheetnames}


def test_demo_loads_at_least_30_procedures_with_valid_processes(demo_catalogue):
    assert Procedure.objects.count() == len(PROCEDURES) >= 30
    assert len({p["code"] for p in PROCEDURES}) == len(PROCEDURES)
    for process in Process.objects.select_related("procedure").prefetch_related("steps"):
        steps = list(process.steps.all())
        assert sum(s.share for s in steps) == process.procedure.resolution_time, process
        assert all(s.role in PROCESS_ROLES for s in steps)
        if process.agency_id is None:
            assert steps[0].role == "counter_officer" and steps[-1].role == "counter_officer"
            assert "leader" in [s.role for s in steps] and "specialist" in [s.role for s in steps]
    assert Process.objects.filter(agency__isnull=True).count() == len(PROCEDURES)
    for procedure in Procedure.objects.all():
        assert AgencyProcedure.objects.filter(procedure=procedure).exists(), procedure.code


def test_demo_agencies_handle_the_right_procedures(demo_catalogue):
    ward = "000.00.31.H57"
    assert selectors.search_procedures("khai sinh", agency=ward).filter(code="1.001193").exists()
    assert not selectors.search_procedures("ly lich tu phap", agency=ward).exists()
    assert selectors.search_procedures("ly lich tu phap", agency="000.00.12.H57").exists()
    assert selectors.search_procedures("", agency="000.00.14.H57").count() == 5
    own = selectors.process_for(Procedure.objects.get(code="2.000815"), selectors._agency("000.00.32.H57"))
    assert own.agency.code == "000.00.32.H57" and own.steps.count() == 2
    birth = Procedure.objects.get(code="1.001193")
    assert birth.resolution_time == Decimal(1) and birth.files_online


def test_demo_export_matches_the_fixture_and_reimports_unchanged(demo_catalogue):
    """The fixture is the demo catalogue's export; regenerate it with
    `egov manage procedures export tests/fixtures/procedures/demo_catalogue.xlsx` after `egov demo`."""
    exported = excel.export_catalogue()
    assert values(exported) == values(FIXTURE)
    with FIXTURE.open("rb") as handle:
        result = excel.import_catalogue(actor=None, file=handle)
    assert result.created == [] and result.updated == [] and len(result.unchanged) == len(PROCEDURES)


def test_fixture_builds_the_catalogue_from_scratch(db):
    org_demo.load(lambda line: None)
    with FIXTURE.open("rb") as handle:
        result = excel.import_catalogue(actor=None, file=handle)
    assert len(result.created) == len(PROCEDURES)
    demo_world = values(excel.export_catalogue())
    assert demo_world == values(FIXTURE)
