from decimal import Decimal

import pytest

from egov.org.roles import Role
from egov.procedures import services
from egov.procedures.models import Procedure

STEPS = [
    {"name": "Tiếp nhận hồ sơ", "role": Role.COUNTER_OFFICER, "share": "0.5"},
    {"name": "Thẩm định hồ sơ", "role": Role.SPECIALIST, "share": "2"},
    {"name": "Phê duyệt kết quả", "role": Role.LEADER, "share": "1"},
    {"name": "Trả kết quả", "role": Role.COUNTER_OFFICER, "share": "0.5"},
]


def procedure_data(**overrides) -> dict:
    data = {
        "name": "Đăng ký khai sinh", "field": services.get_or_create_field("HT", "Hộ tịch"),
        "levels": [Procedure.Level.COMMUNE], "online_level": 4, "online_service": Procedure.OnlineService.FULL,
        "resolution_time": Decimal(4), "time_unit": Procedure.TimeUnit.DAYS,
        "result": "Giấy khai sinh", "legal_basis": "Luật Hộ tịch năm 2014",
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_procedure(db):
    def make(code="1.001193", steps=STEPS, papers=None, fees=None, **overrides):
        papers = papers if papers is not None else [
            {"name": "Tờ khai đăng ký khai sinh", "originals": 1},
            {"name": "Giấy chứng sinh", "originals": 1, "copies": 0},
        ]
        fees = fees if fees is not None else [{"kind": "charge", "name": "Lệ phí đăng ký", "amount": 8000}]
        return services.create_procedure(actor=None, code=code, data=procedure_data(**overrides),
                                         papers=papers, fees=fees, steps=steps)
    return make


@pytest.fixture
def procedure(make_procedure):
    return make_procedure()
