import pytest

from egov.dossiers import services
from egov.org.roles import Role
from tests.dossiers.factories import applicant_data, aware, make_procedure, papers_for
from tests.factories import make_official


class World:
    """One agency with an officer in each handling role, a citizen, and a 5-day procedure."""

    def __init__(self, agency, other_agency, citizen):
        self.agency, self.other_agency, self.citizen = agency, other_agency, citizen
        self.counter = make_official(Role.COUNTER_OFFICER, agency=agency, full_name="Lê Thị Một Cửa")
        self.specialist = make_official(Role.SPECIALIST, agency=agency, full_name="Phan Văn Chuyên")
        self.leader = make_official(Role.LEADER, agency=agency, full_name="Võ Minh Lãnh")
        self.other_specialist = make_official(Role.SPECIALIST, agency=other_agency)
        self.other_counter = make_official(Role.COUNTER_OFFICER, agency=other_agency)
        self.procedure = make_procedure(resolution_days=5)

    def submitted(self, *, procedure=None, at=None, key=""):
        procedure = procedure or self.procedure
        return services.submit_online(actor=self.citizen, procedure=procedure, agency=self.agency,
                                      data=applicant_data(self.citizen), uploads=papers_for(procedure),
                                      idempotency_key=key, at=at)

    def received(self, *, received="2026-03-02 09:00", procedure=None):
        procedure = procedure or self.procedure
        return services.register_at_counter(officer=self.counter, procedure=procedure,
                                            data=applicant_data(self.citizen), uploads=papers_for(procedure),
                                            at=aware(received), applicant=self.citizen)

    def in_each_tracked_state(self) -> dict:
        """Dossiers a citizen can look up, by state: just received, waiting for a supplement,
        returned, and running long past its due date."""
        from egov.dossiers import workflow

        waiting = self.received(received="2026-03-02 09:00")
        workflow.forward(dossier=waiting, officer=self.counter)
        workflow.request_supplement(dossier=waiting, officer=self.specialist, missing=["Tờ khai"])
        returned = self.received(received="2026-03-02 10:00")
        workflow.forward(dossier=returned, officer=self.counter)
        workflow.forward(dossier=returned, officer=self.specialist)
        workflow.approve(dossier=returned, officer=self.leader)
        workflow.return_result(dossier=returned, actor=self.counter, method="counter")
        return {"received": self.received(received="2026-11-25 08:00"), "waiting": waiting, "returned": returned,
                "overdue": self.received(received="2026-01-05 09:00")}


@pytest.fixture
def world(agency, other_agency, citizen):
    return World(agency, other_agency, citizen)


@pytest.fixture
def officer(world):
    return world.specialist


@pytest.fixture
def dossier_factory(world):
    def build(*, received="2026-03-02 09:00", resolution_days=5):
        procedure = make_procedure(resolution_days=resolution_days)
        dossier = world.received(received=received, procedure=procedure)
        # Past the counter step, so the specialist handles it.
        from egov.dossiers.workflow import forward

        forward(dossier=dossier, officer=world.counter, at=aware(received))
        return dossier
    return build
