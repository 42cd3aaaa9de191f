import pytest

from tests.factories import make_agency
from tests.feedback.factories import make_field, officials_of


class Office:
    """The receiving office (the root agency), a ward under it, another ward, a 10-day field."""

    def __init__(self, settings):
        self.office = make_agency(name="Văn phòng Ủy ban nhân dân tỉnh Thử", code="000.00.01.TF1")
        self.ward = make_agency(name="Ủy ban nhân dân phường Phản Ánh", parent=self.office, code="000.00.31.TF1")
        self.other_ward = make_agency(name="Ủy ban nhân dân xã Bên Kia", parent=self.office, code="000.00.32.TF1")
        settings.FEEDBACK_OFFICE = self.office.code
        self.field = make_field(code="giao-thong", name="Giao thông", days=10)
        people = officials_of(self.office)
        self.clerk, self.office_leader = people["clerk"], people["leader"]
        people = officials_of(self.ward)
        self.specialist, self.leader = people["specialist"], people["leader"]
        people = officials_of(self.other_ward)
        self.other_specialist, self.other_leader = people["specialist"], people["leader"]


@pytest.fixture
def office(db, settings):
    return Office(settings)
