"""Signing certificates, trusted roots and the record of signatures made (chứng thư số, ký số)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class SigningCertificate(models.Model):
    """A signing certificate (chứng thư số) of an official or of an agency (chứng thư số cơ quan).

    The public certificate is kept in clear; a PKCS#12 file and its password only encrypted
    (see `egov.signing.vault`), bound to this certificate's fingerprint.
    """

    class Kind(models.TextChoices):
        PKCS12 = "pkcs12", "Tệp PKCS#12 (chứng thư số mềm)"
        PKCS11 = "pkcs11", "Thiết bị USB token (PKCS#11)"
        REMOTE = "remote", "Ký số từ xa"

    official = models.ForeignKey("org.Official", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="signing_certificates", verbose_name="cán bộ")
    agency = models.ForeignKey("org.Agency", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="signing_certificates", verbose_name="cơ quan")
    kind = models.CharField("loại", max_length=10, choices=Kind.choices, default=Kind.PKCS12)
    subject_cn = models.CharField("chủ thể", max_length=255)
    issuer_cn = models.CharField("tổ chức cấp", max_length=255)
    serial = models.CharField("số hiệu", max_length=80)
    not_before = models.DateTimeField("hiệu lực từ")
    not_after = models.DateTimeField("hiệu lực đến")
    fingerprint = models.CharField("dấu vân tay SHA-256", max_length=64, db_index=True)
    certificate_der = models.BinaryField("chứng thư (DER)")
    pkcs12_sealed = models.BinaryField(null=True, editable=False)
    password_sealed = models.BinaryField(null=True, editable=False)
    vault_key_id = models.CharField(max_length=16, blank=True, editable=False)
    # PKCS#11 slot/key label or the remote service's credential id; never a secret
    provider_ref = models.CharField("tham chiếu thiết bị/dịch vụ", max_length=255, blank=True)
    signature_image = models.BinaryField("hình chữ ký (PNG)", null=True, blank=True)
    is_active = models.BooleanField("đang sử dụng", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "chứng thư số"
        verbose_name_plural = "chứng thư số"
        ordering = ["-is_active", "-not_after"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(official__isnull=False, agency__isnull=True)
                           | Q(official__isnull=True, agency__isnull=False)),
                name="signing_cert_one_owner"),
            models.CheckConstraint(
                condition=~Q(kind="pkcs12") | Q(pkcs12_sealed__isnull=False, password_sealed__isnull=False),
                name="signing_cert_pkcs12_has_key"),
            models.CheckConstraint(condition=Q(not_before__lt=models.F("not_after")),
                                   name="signing_cert_validity_order"),
            # one live registration of a certificate at a time
            models.UniqueConstraint(fields=["fingerprint"], condition=Q(is_active=True),
                                    name="signing_cert_active_fingerprint_unique"),
        ]

    def __str__(self):
        return f"{self.subject_cn} ({self.serial[:16]})"

    @property
    def owner_label(self) -> str:
        if self.official_id:
            return self.official.user.display_name
        return self.agency.name

    @property
    def owner_agency(self):
        return self.official.agency if self.official_id else self.agency


class TrustedRoot(models.Model):
    """A root certificate the administrator trusts (chứng thư số gốc tin cậy), e.g. the
    government's root CA; verification reports a chain as trusted only when it ends here."""

    name = models.CharField("tên", max_length=255)
    certificate_der = models.BinaryField("chứng thư (DER)")
    fingerprint = models.CharField("dấu vân tay SHA-256", max_length=64, unique=True)
    subject_cn = models.CharField("chủ thể", max_length=255)
    not_after = models.DateTimeField("hiệu lực đến")
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                 related_name="+")

    class Meta:
        verbose_name = "chứng thư số gốc tin cậy"
        verbose_name_plural = "chứng thư số gốc tin cậy"
        ordering = ["name"]

    def __str__(self):
        return self.name


class SignatureRecord(models.Model):
    """One signature made through egov: who signed what, when, at which PAdES level."""

    class Role(models.TextChoices):
        OFFICIAL = "official", "Cá nhân ký"
        AGENCY = "agency", "Cơ quan ký"

    signer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name="người ký")
    certificate = models.ForeignKey(SigningCertificate, null=True, on_delete=models.SET_NULL,
                                    related_name="signatures", verbose_name="chứng thư số")
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+",
                               verbose_name="cơ quan")
    role = models.CharField("hình thức", max_length=10, choices=Role.choices)
    level = models.CharField("mức PAdES", max_length=8)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    sha256 = models.CharField("SHA-256 của tệp đã ký", max_length=64)
    signed_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "lượt ký số"
        verbose_name_plural = "lượt ký số"
        ordering = ["-signed_at"]
        indexes = [models.Index(fields=["agency", "signed_at"], name="signing_record_agency_at"),
                   models.Index(fields=["object_type", "object_id"], name="signing_record_object")]

    def __str__(self):
        # local time (EGOV_TIME_ZONE), as every page shows it: this text becomes the audit line
        return f"{self.get_role_display()} {self.level} {timezone.localtime(self.signed_at):%d/%m/%Y %H:%M}"
