"""Load administrative units (đơn vị hành chính) from `vietnam-provinces` (2025 structure)."""

from __future__ import annotations

from vietnam_provinces import Province, Ward

from egov.core.text import fold
from egov.org.models import AdministrativeUnit


def province_code(code) -> str:
    return f"{int(code):02d}"


def ward_code(code) -> str:
    return f"{int(code):05d}"


def load_units() -> int:
    """Insert the 34 provinces and all their communes/wards that are missing; returns rows added."""
    existing = set(AdministrativeUnit.objects.values_list("code", flat=True))
    provinces = [
        AdministrativeUnit(code=province_code(p.code), name=p.name, division_type=str(p.division_type.value),
                           level=AdministrativeUnit.Level.PROVINCE, name_folded=fold(p.name))
        for p in Province.iter_all() if province_code(p.code) not in existing
    ]
    AdministrativeUnit.objects.bulk_create(provinces, batch_size=500)
    parents = dict(AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.PROVINCE)
                   .values_list("code", "pk"))
    wards = [
        AdministrativeUnit(code=ward_code(w.code), name=w.name, division_type=str(w.division_type.value),
                           level=AdministrativeUnit.Level.COMMUNE,
                           parent_id=parents[province_code(w.province_code)], name_folded=fold(w.name))
        for w in Ward.iter_all() if ward_code(w.code) not in existing
    ]
    AdministrativeUnit.objects.bulk_create(wards, batch_size=1000)
    return len(provinces) + len(wards)
