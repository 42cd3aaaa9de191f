from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from egov.core.text import fold
from egov.org.roles import Role


class AdministrativeUnit(models.Model):
    """Administrative unit (đơn vị hành chính): province/city or commune/ward/special zone.

    Codes are the official ones from `vietnam-provinces` (2025 two-level structure). Older data
    may name districts, so the level is a field and the parent is optional.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", "Tỉnh/Thành phố"
        DISTRICT = "district", "Quận/Huyện (trước 07/2025)"
        COMMUNE = "commune", "Xã/Phường/Đặc khu"

    code = models.CharField("mã", max_length=10, unique=True)
    name = models.CharField("tên", max_length=150)
    division_type = models.CharField("loại", max_length=60, blank=True)
    level = models.CharField("cấp", max_length=20, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    name_folded = models.CharField(max_length=150, editable=False, db_index=True)

    class Meta:
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        ordering = ["code"]

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)

    def __str__(self):
        return self.name


class Agency(models.Model):
    """State agency (cơ quan, đơn vị) with its electronic identifier code (mã định danh điện tử).

    Agencies form a tree of any depth. `path` is a materialised path of primary keys
    ("/1/7/42/") so that "this agency and everything under it" is one indexed prefix query.
    """

    code = models.CharField("mã định danh", max_length=40, unique=True)
    name = models.CharField("tên cơ quan", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=30,
                                  help_text="Dùng trong ký hiệu văn bản, ví dụ UBND, STP.")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children", verbose_name="cơ quan cấp trên")
    unit = models.ForeignKey(AdministrativeUnit, null=True, blank=True, on_delete=models.PROTECT,
                             verbose_name="địa bàn")
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    phone = models.CharField("điện thoại", max_length=30, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    is_active = models.BooleanField("đang hoạt động", default=True)
    name_folded = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs.pop("force_insert", None)
        parent_path = self.parent.path if self.parent_id else "/"
        new_path = f"{parent_path}{self.pk}/"
        old_path = self.path
        self.path, self.depth = new_path, new_path.count("/") - 2
        super().save(update_fields=["name_folded", "path", "depth", "code", "name", "short_name",
                                    "parent", "unit", "address", "phone", "email", "is_active"])
        if old_path and old_path != new_path:
            for child in Agency.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                child.save()

    def descendants(self, *, include_self: bool = True):
        qs = Agency.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def is_within(self, other: Agency) -> bool:
        """True when this agency is `other` or lies under it."""
        return bool(self.path) and self.path.startswith(other.path)

    def ancestors(self):
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        return Agency.objects.filter(pk__in=ids).order_by("depth")


class Department(models.Model):
    """Department inside an agency (phòng, ban), e.g. the Office's administrative division."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="departments",
                               verbose_name="cơ quan")
    name = models.CharField("tên phòng ban", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=30, blank=True,
                                  help_text="Dùng trong ký hiệu công văn, ví dụ VP, KT.")

    class Meta:
        verbose_name = "phòng ban"
        verbose_name_plural = "phòng ban"
        ordering = ["agency", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="department_unique_name")]

    def __str__(self):
        return self.name


class EgovUserManager(UserManager):
    pass


class User(AbstractUser):
    """An account: an official (cán bộ), a citizen (người dân) or a business (doanh nghiệp)."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", "Cán bộ"
        CITIZEN = "citizen", "Người dân"
        BUSINESS = "business", "Doanh nghiệp"

    kind = models.CharField("loại tài khoản", max_length=20, choices=Kind.choices, default=Kind.CITIZEN)
    full_name = models.CharField("họ và tên", max_length=150)
    phone = models.CharField("số điện thoại", max_length=20, null=True, blank=True, unique=True)
    identity_number = models.CharField("số định danh cá nhân/mã số thuế", max_length=20, blank=True)
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    organization_name = models.CharField("tên doanh nghiệp", max_length=255, blank=True)
    # Set when an administrator hands over a one-time password: the account is asked for a new
    # one of its own before anything else (org.middleware.PasswordChangeMiddleware).
    must_change_password = models.BooleanField("phải đổi mật khẩu", default=False)

    objects = EgovUserManager()

    class Meta:
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"
        constraints = [
            models.UniqueConstraint(fields=["email"], condition=~Q(email=""), name="user_email_unique"),
        ]
        # Other systems look people up by ID number (org.people).
        indexes = [models.Index(fields=["identity_number"], condition=~Q(identity_number=""),
                                name="user_identity_number")]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def is_official(self) -> bool:
        return self.kind == self.Kind.OFFICIAL and hasattr(self, "official")

    @property
    def official_or_none(self):
        return getattr(self, "official", None) if self.kind == self.Kind.OFFICIAL else None

    # An account is an `egov.core.actors.Actor`, as an API key is.
    is_api_key = False

    @property
    def account(self):
        return self if self.pk else None

    @property
    def acting_agency(self):
        official = getattr(self, "official", None)
        return official.agency if official is not None else None

    def role_codes(self) -> frozenset[str]:
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            official = self.official_or_none
            cached = frozenset(official.role_codes()) if official else frozenset()
            self._role_codes = cached
        return cached


class Official(models.Model):
    """An official's place in the organisation (cán bộ, công chức): agency, department, roles."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="official")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="officials",
                               verbose_name="cơ quan")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="officials", verbose_name="phòng ban")
    position = models.CharField("chức vụ", max_length=120, blank=True)

    class Meta:
        verbose_name = "cán bộ"
        verbose_name_plural = "cán bộ"
        ordering = ["agency", "user__full_name"]

    def __str__(self):
        return f"{self.user.display_name} ({self.position or self.agency.short_name})"

    def role_codes(self) -> list[str]:
        return [a.role for a in self.role_assignments.all()]

    def get_absolute_url(self):
        return reverse("staff-home")


class RoleAssignment(models.Model):
    """One role held by an official in their agency."""

    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("vai trò", max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = "vai trò"
        verbose_name_plural = "vai trò"
        constraints = [
            models.UniqueConstraint(fields=["official", "role"], name="role_assignment_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="role_assignment_known_role"),
        ]

    def __str__(self):
        return self.get_role_display()


class LoginFailure(models.Model):
    """A failed sign-in (đăng nhập sai), kept for a while: the lockout counts these rows.

    `account` is the account the name resolved to ("user:<pk>"), so a username, its case
    variants, the email and the phone of one person share one count; a name that resolves to
    nobody counts as "name:<lowercased text>". `ip` is the client's address, IPv6 by its /64.
    """

    account = models.CharField(max_length=160)
    ip = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "lần đăng nhập sai"
        verbose_name_plural = "lần đăng nhập sai"
        indexes = [
            models.Index(fields=["account", "ip", "at"], name="login_failure_account_ip"),
            models.Index(fields=["ip", "at"], name="login_failure_ip"),
        ]


class LoginLock(models.Model):
    """A sign-in lock (tạm khóa đăng nhập): an account refused to one address, or to every
    address (`ip` = "*") when failures for it come from many addresses at once."""

    EVERY_ADDRESS = "*"

    account = models.CharField(max_length=160)
    ip = models.CharField(max_length=64, blank=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "khóa đăng nhập"
        verbose_name_plural = "khóa đăng nhập"
        constraints = [models.UniqueConstraint(fields=["account", "ip"], name="login_lock_one_per_address")]

    def __str__(self):
        where = "mọi địa chỉ" if self.ip == self.EVERY_ADDRESS else self.ip or "không rõ địa chỉ"
        return f"{self.user or self.account} ({where})"


class TwoFactorDevice(models.Model):
    """A user's authenticator app (xác thực hai bước, TOTP): its secret, encrypted.

    Unconfirmed until the user types one code from the app; only a confirmed device is asked for
    at sign-in. `last_step` is the time step of the last accepted code, so a code works once.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor")
    secret_encrypted = models.TextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "thiết bị xác thực hai bước"
        verbose_name_plural = "thiết bị xác thực hai bước"

    def __str__(self):
        return f"TOTP {self.user}"


class RecoveryCode(models.Model):
    """A one-time recovery code (mã dự phòng) for when the phone is lost; only its hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique")]
