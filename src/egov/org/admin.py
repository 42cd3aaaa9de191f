from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from egov.org.models import AdministrativeUnit, Agency, Department, LoginLock, Official, RoleAssignment, User


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name", "name_folded"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "parent", "is_active"]
    search_fields = ["code", "name", "name_folded", "short_name"]
    list_filter = ["is_active", "depth"]
    raw_id_fields = ["parent", "unit"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "agency"]
    search_fields = ["name"]


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1


@admin.register(Official)
class OfficialAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "department", "position"]
    list_filter = ["agency"]
    search_fields = ["user__full_name", "user__username"]
    inlines = [RoleInline]
    raw_id_fields = ["user", "agency", "department"]


@admin.register(User)
class EgovUserAdmin(UserAdmin):
    list_display = ["username", "full_name", "kind", "email", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["username", "full_name", "email", "phone", "identity_number"]
    fieldsets = UserAdmin.fieldsets + (
        ("egov", {"fields": ["kind", "full_name", "phone", "identity_number", "address", "organization_name"]}),
    )


def _admin_login(request, extra_context=None):
    """The admin signs in through the site's login: one lockout, and the second factor."""
    from django.urls import reverse

    from egov.org.views import login

    return login(request, default_next=reverse("admin:index"))


admin.site.login = _admin_login


@admin.register(LoginLock)
class LoginLockAdmin(admin.ModelAdmin):
    """Sign-in locks in force; deleting one lets its account in again at once."""

    list_display = ["user", "account", "ip", "failures", "created_at", "until"]
    search_fields = ["account", "ip", "user__username", "user__email", "user__phone"]
    readonly_fields = ["account", "ip", "user", "failures", "created_at", "until"]

    def has_add_permission(self, request):
        return False
