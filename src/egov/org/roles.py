"""Staff roles (vai trò). Kept in code: permissions are granted to roles in each app's rules."""

from django.db import models


class Role(models.TextChoices):
    COUNTER_OFFICER = "counter_officer", "Cán bộ một cửa"
    SPECIALIST = "specialist", "Chuyên viên"
    LEADER = "leader", "Lãnh đạo"
    CLERK = "clerk", "Văn thư"
    AGENCY_ADMIN = "agency_admin", "Quản trị đơn vị"
    SYSTEM_ADMIN = "system_admin", "Quản trị hệ thống"


STAFF_ROLES = frozenset(Role.values)
