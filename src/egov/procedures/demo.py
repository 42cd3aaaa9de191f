"""Demo catalogue: 32 common real procedures (data in `data/catalogue.py`), adopted by the demo
province's departments and ward People's Committees, each with a default internal process."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from egov.org.models import Agency
from egov.org.roles import Role
from egov.procedures import services
from egov.procedures.data.catalogue import (
    AGENCIES,
    COUNTER_DEPARTMENT,
    FIELDS,
    PROCEDURES,
)

NAME = "procedures"
# E-form definitions of the most-filed procedures, one JSON file per procedure code.
FORMS_DIR = Path(__file__).parent / "data" / "forms"
CENT = Decimal("0.01")


def _part(total: Decimal, ratio: str, cap: str) -> Decimal:
    return min(Decimal(cap), (total * Decimal(ratio)).quantize(CENT, rounding=ROUND_HALF_UP))


def default_steps(total, unit: str, agency_key: str) -> list[dict]:
    """Receive at the counter -> specialist -> (head of division) -> leader signs -> counter returns.

    The specialist's share is what remains, so the shares always add up to the legal time.
    """
    total = Decimal(str(total))
    department = AGENCIES[agency_key][1]
    counter = COUNTER_DEPARTMENT.get(agency_key, "")
    receive = _part(total, "0.1", "0.5")
    approve = _part(total, "0.2", "1")
    review = _part(total, "0.1", "1") if agency_key != "XA" and unit == "days" and total >= 5 else Decimal(0)
    steps = [{"name": "Tiếp nhận, kiểm tra hồ sơ", "role": Role.COUNTER_OFFICER, "share": receive,
              "department_name": counter},
             {"name": "Thẩm định, dự thảo kết quả", "role": Role.SPECIALIST,
              "share": total - 2 * receive - approve - review, "department_name": department}]
    if review:
        steps.append({"name": "Lãnh đạo phòng kiểm tra", "role": Role.LEADER, "share": review,
                      "department_name": department})
    steps += [{"name": "Lãnh đạo phê duyệt, ký kết quả", "role": Role.LEADER, "share": approve},
              {"name": "Trả kết quả", "role": Role.COUNTER_OFFICER, "share": receive, "department_name": counter}]
    return steps


def agency_codes(key: str) -> tuple[str, ...]:
    codes = AGENCIES[key][0]
    return codes if isinstance(codes, tuple) else (codes,)


def load(out) -> None:
    fields = {code: services.get_or_create_field(code, name) for code, name in FIELDS.items()}
    agencies = {a.code: a for a in Agency.objects.all()}
    adopted = forms = 0
    for item in PROCEDURES:
        data = {"name": item["name"], "field": fields[item["field"]], "levels": item["levels"],
                "online_level": item["online_level"], "online_service": item["online_service"],
                "resolution_time": Decimal(str(item["time"])), "time_unit": item["unit"],
                "applicants": item["applicants"], "result": item["result"], "legal_basis": item["legal_basis"],
                "conditions": item.get("conditions", ""),
                "steps_text": ("Bước 1: Nộp hồ sơ trực tuyến hoặc tại Bộ phận Một cửa. "
                               "Bước 2: Cán bộ tiếp nhận kiểm tra hồ sơ, cấp giấy tiếp nhận và hẹn trả kết quả. "
                               "Bước 3: Cơ quan giải quyết hồ sơ. Bước 4: Nhận kết quả trực tuyến hoặc tại Bộ phận Một cửa.")}
        papers = [{"name": n, "originals": o, "copies": c, "mandatory": m} for n, o, c, m in item["papers"]]
        fees = [{"kind": k, "name": n, "amount": a, "note": note} for k, n, a, note in item["fees"]]
        procedure = services.create_procedure(
            actor=None, code=item["code"], data=data, papers=papers, fees=fees,
            steps=default_steps(item["time"], item["unit"], item["agencies"]))
        form = FORMS_DIR / f"{item['code']}.json"
        if form.exists():
            services.set_form_definition(actor=None, procedure=procedure, definition=json.loads(form.read_text()))
            forms += 1
        own = item.get("own_process", {})
        for code in agency_codes(item["agencies"]):
            agency = agencies.get(code)
            if agency is None:
                continue
            steps = [{"name": n, "role": r, "share": s} for n, r, s in own[code]] if code in own else None
            services.adopt_procedure(actor=None, agency=agency, procedure=procedure, steps=steps)
            adopted += 1
    out(f"  {len(PROCEDURES)} thủ tục hành chính trong {len(FIELDS)} lĩnh vực, {adopted} lượt cơ quan áp dụng, "
        f"{forms} tờ khai điện tử")
