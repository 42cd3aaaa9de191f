"""Demo province: Thành phố Huế (province code 46) with its People's Committee, Office, six
departments and three ward/commune People's Committees, each with officials in every role.

Province and ward names and codes are the real ones from `vietnam-provinces`; agency identifier
codes follow the national format (000.00.XX.H57) but the unit numbers are illustrative.
"""

from __future__ import annotations

from egov.core.demo import DEMO_PASSWORD
from egov.org.models import AdministrativeUnit, Agency, Department, Official, User
from egov.org.roles import Role
from egov.org.services import create_official, register_citizen
from egov.org.units import load_units

NAME = "org"
PROVINCE_CODE = "46"
PROVINCE_AGENCY = "000.00.00.H57"

# (code, name, short name, slug, departments [(name, short)])
DEPARTMENTS = [
    ("000.00.01.H57", "Văn phòng Ủy ban nhân dân thành phố Huế", "VP", "vp",
     [("Phòng Hành chính - Tổ chức", "HCTC"), ("Phòng Kinh tế", "KT"), ("Trung tâm Phục vụ hành chính công", "TTHCC")]),
    ("000.00.12.H57", "Sở Tư pháp thành phố Huế", "STP", "stp",
     [("Văn phòng Sở", "VP"), ("Phòng Hành chính tư pháp", "HCTP"), ("Phòng Bổ trợ tư pháp", "BTTP")]),
    ("000.00.13.H57", "Sở Xây dựng thành phố Huế", "SXD", "sxd",
     [("Văn phòng Sở", "VP"), ("Phòng Quản lý xây dựng", "QLXD")]),
    ("000.00.14.H57", "Sở Tài chính thành phố Huế", "STC", "stc",
     [("Văn phòng Sở", "VP"), ("Phòng Đăng ký kinh doanh", "ĐKKD")]),
    ("000.00.15.H57", "Sở Nội vụ thành phố Huế", "SNV", "snv",
     [("Văn phòng Sở", "VP"), ("Phòng Tổ chức, biên chế", "TCBC")]),
    ("000.00.16.H57", "Sở Khoa học và Công nghệ thành phố Huế", "SKHCN", "skhcn",
     [("Văn phòng Sở", "VP"), ("Phòng Chuyển đổi số", "CĐS")]),
    ("000.00.17.H57", "Sở Nông nghiệp và Môi trường thành phố Huế", "SNNMT", "snnmt",
     [("Văn phòng Sở", "VP"), ("Phòng Đất đai", "ĐĐ")]),
]
# Real wards of Huế (vietnam-provinces codes); their People's Committees.
WARDS = [("19786", "000.00.31.H57", "thuanhoa"), ("19768", "000.00.32.H57", "phuxuan"), ("19942", "000.00.33.H57", "phuvang")]

ROLE_SLUGS = [
    (Role.LEADER, "lanhdao", "Lãnh đạo", "Chủ tịch"),
    (Role.SPECIALIST, "chuyenvien", "Chuyên viên", "Chuyên viên"),
    (Role.COUNTER_OFFICER, "motcua", "Cán bộ một cửa", "Công chức một cửa"),
    (Role.CLERK, "vanthu", "Văn thư", "Văn thư"),
    (Role.AGENCY_ADMIN, "quantri", "Quản trị", "Quản trị hệ thống đơn vị"),
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Quốc", "Ngọc", "Đức"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Lan", "Long", "Mai",
         "Nam", "Nga", "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vân", "Yến"]


def person_name(index: int) -> str:
    return f"{SURNAMES[index % len(SURNAMES)]} {MIDDLE[(index // 3) % len(MIDDLE)]} {GIVEN[(index * 7) % len(GIVEN)]}"


def demo_officials(agency: Agency, slug: str, counter: list[int], *, leader_title: str) -> None:
    departments = list(agency.departments.all())
    for role, role_slug, _label, position in ROLE_SLUGS:
        counter[0] += 1
        department = departments[1] if role == Role.SPECIALIST and len(departments) > 1 else (departments[0] if departments else None)
        create_official(actor=None, agency=agency, username=f"{slug}.{role_slug}", full_name=person_name(counter[0]),
                        password=DEMO_PASSWORD, roles=[role],
                        position=leader_title if role == Role.LEADER else position, department=department,
                        email=f"{slug}.{role_slug}@demo.egov.vn")


def load(out) -> None:
    added = load_units()
    out(f"  {added} đơn vị hành chính (34 tỉnh, thành phố và các xã, phường)")
    province_unit = AdministrativeUnit.objects.get(code=PROVINCE_CODE)
    province = Agency.objects.create(code=PROVINCE_AGENCY, name="Ủy ban nhân dân thành phố Huế", short_name="UBND",
                                     unit=province_unit, address="16 Lê Lợi, phường Thuận Hóa, thành phố Huế",
                                     phone="0234 3822 511", email="ubnd@demo.egov.vn")
    counter = [0]
    Department.objects.create(agency=province, name="Lãnh đạo Ủy ban", short_name="LĐ")
    demo_officials(province, "ubnd", counter, leader_title="Chủ tịch Ủy ban nhân dân")
    for code, name, short, slug, departments in DEPARTMENTS:
        agency = Agency.objects.create(code=code, name=name, short_name=short, parent=province, unit=province_unit)
        for dept_name, dept_short in departments:
            Department.objects.create(agency=agency, name=dept_name, short_name=dept_short)
        demo_officials(agency, slug, counter, leader_title="Chánh Văn phòng" if short == "VP" else "Giám đốc Sở")
    for ward_code, agency_code, slug in WARDS:
        unit = AdministrativeUnit.objects.get(code=ward_code)
        agency = Agency.objects.create(code=agency_code, name=f"Ủy ban nhân dân {unit.name[0].lower()}{unit.name[1:]}",
                                       short_name="UBND", parent=province, unit=unit)
        Department.objects.create(agency=agency, name="Văn phòng HĐND và UBND", short_name="VP")
        Department.objects.create(agency=agency, name="Bộ phận Một cửa", short_name="MC")
        demo_officials(agency, slug, counter, leader_title=f"Chủ tịch UBND {unit.division_type}")
    create_official(actor=None, agency=province, username="admin", full_name="Quản trị hệ thống",
                    password=DEMO_PASSWORD, roles=[Role.SYSTEM_ADMIN], position="Quản trị hệ thống",
                    email="admin@demo.egov.vn")
    register_citizen(kind=User.Kind.CITIZEN, full_name="Nguyễn Thị Hoa", password=DEMO_PASSWORD,
                     email="nguoidan@demo.egov.vn", phone="0912345678", identity_number="046190001234",
                     address="12 Trần Hưng Đạo, phường Phú Hội, thành phố Huế")
    register_citizen(kind=User.Kind.BUSINESS, full_name="Trần Văn Minh", password=DEMO_PASSWORD,
                     email="doanhnghiep@demo.egov.vn", phone="0987654321", identity_number="3301234567",
                     organization_name="Công ty TNHH Sông Hương Xanh",
                     address="45 Nguyễn Huệ, phường Thuận Hóa, thành phố Huế")
    out(f"  {Agency.objects.count()} cơ quan, {Official.objects.count()} cán bộ, 2 tài khoản người dân/doanh nghiệp")


def account_table() -> list[str]:
    rows = []
    for official in (Official.objects.select_related("user", "agency")
                     .prefetch_related("role_assignments").order_by("agency__path", "user__username")):
        roles = ", ".join(a.get_role_display() for a in official.role_assignments.all())
        rows.append(f"{official.user.username:<22} {roles:<18} {official.agency.name}")
    for user in User.objects.exclude(kind=User.Kind.OFFICIAL).order_by("pk"):
        rows.append(f"{user.username:<22} {user.get_kind_display():<18} {user.full_name}")
    return rows
