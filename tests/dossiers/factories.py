"""Builders for dossier tests: procedures straight through the ORM, dossiers through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from egov.dossiers.uploads import check_upload
from egov.org.roles import Role
from egov.procedures.models import Field, Procedure, Process, ProcessStep, RequiredPaper

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "dossiers"
_seq = itertools.count(1)

DEFAULT_STEPS = [
    ("Tiếp nhận, chuyển xử lý", Role.COUNTER_OFFICER, "0.5"),
    ("Thẩm định hồ sơ", Role.SPECIALIST, "3"),
    ("Phê duyệt kết quả", Role.LEADER, "1.5"),
]


def aware(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))


def make_procedure(*, resolution_days: float = 5, time_unit: str = "days", papers=("Tờ khai", "Bản sao CCCD"),
                   steps=None, agency=None, online: str = "partial", name: str | None = None) -> Procedure:
    n = next(_seq)
    field, _ = Field.objects.get_or_create(code="HT", defaults={"name": "Hộ tịch"})
    procedure = Procedure.objects.create(
        code=f"9.{n:06d}", name=name or f"Thủ tục thử số {n}", field=field, levels=["commune"],
        online_level=3 if online != "full" else 4, online_service=online,
        resolution_time=Decimal(str(resolution_days)), time_unit=time_unit, result="Giấy xác nhận")
    for order, paper in enumerate(papers, start=1):
        RequiredPaper.objects.create(procedure=procedure, order=order, name=paper)
    steps = DEFAULT_STEPS if steps is None else steps
    if steps:
        total = Decimal(str(resolution_days))
        scale = total / sum(Decimal(s) for _, _, s in steps)
        process = Process.objects.create(procedure=procedure, agency=agency)
        for order, (step_name, role, share) in enumerate(steps, start=1):
            ProcessStep.objects.create(process=process, order=order, name=step_name, role=role,
                                       share=(Decimal(share) * scale).quantize(Decimal("0.01")))
    return procedure


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def upload(name: str = "paper.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, fixture_bytes(name) if content is None else content)


def papers_for(procedure, name: str = "paper.pdf"):
    return [check_upload(upload(name), label=p.name, paper_id=p.pk) for p in procedure.papers.all()]


def applicant_data(citizen=None, **extra) -> dict:
    data = {"applicant_name": getattr(citizen, "full_name", "") or "Trần Thị Bình",
            "applicant_id_number": getattr(citizen, "identity_number", "") or "046190000001",
            "applicant_phone": getattr(citizen, "phone", "") or "0905000001",
            "applicant_address": "12 Lê Lợi, Huế"}
    data.update(extra)
    return data


def pdf_image(width=10) -> bytes:
    from PIL import Image

    buf = BytesIO()
    Image.new("RGB", (width, width)).save(buf, "PNG")
    return buf.getvalue()
