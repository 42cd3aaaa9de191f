"""Writes for signing: certificates, trusted roots, signatures; and verification.

The documents and dossiers apps call `sign_for_official` (a leader's approval signature),
`sign_for_agency` (the clerk's agency signature at issuing) and `verify_and_summarise`.
"""

from __future__ import annotations

import hashlib
import io

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from egov.core import scanning
from egov.core.audit import record
from egov.core.errors import PermissionDenied, StateError, ValidationError
from egov.core.registry import egov_modules
from egov.org.permissions import ensure_can
from egov.signing import vault
from egov.signing.certinfo import describe, parse_certificate
from egov.signing.errors import SigningError
from egov.signing.models import SignatureRecord, SigningCertificate, TrustedRoot
from egov.signing.pades import (
    VN_TZ,
    StampSpec,
    VerificationReport,
    load_pkcs12,
    require_usable_certificate,
    sign_pdf,
    verify_pdf,
)
from egov.signing.providers import Pkcs12Provider, SignerProvider
from egov.signing.selectors import (
    active_certificate_of_agency,
    active_certificate_of_official,
    trust_roots_der,
)

MAX_PKCS12_BYTES = 200 * 1024
MAX_IMAGE_BYTES = 300 * 1024


# ------------------------------------------------------------------ certificates


def register_certificate(*, actor, p12: bytes, password: str, official=None, agency=None,
                         signature_image: bytes | None = None) -> SigningCertificate:
    """Register a PKCS#12 signing certificate (đăng ký chứng thư số) for an official or an agency.

    Without `official` or `agency` it is the actor's own. The file must open with the password,
    hold a private key matching its certificate, be valid today and allow document signing;
    otherwise nothing is stored. The file and password are stored only encrypted.
    """
    if official is not None and agency is not None:
        raise ValidationError("Chứng thư số thuộc về một cán bộ hoặc một cơ quan, không thể cả hai.")
    if agency is not None:
        if actor is not None:
            ensure_can(actor, "signing.manage_agency_certificates", agency)
    else:
        if official is None:
            official = getattr(actor, "official_or_none", None)
            if official is None:
                raise PermissionDenied("Chỉ cán bộ mới đăng ký được chứng thư số.")
        if actor is not None:
            # an official registers only their own certificate: it carries their legal signature
            if getattr(actor, "official_or_none", None) is None or actor.official.pk != official.pk:
                raise PermissionDenied("Cán bộ chỉ đăng ký được chứng thư số của chính mình.")
            ensure_can(actor, "signing.own_certificates", official.agency)

    p12 = bytes(p12 or b"")
    if not p12 or len(p12) > MAX_PKCS12_BYTES:
        raise ValidationError("Tệp chứng thư số phải là tệp .p12/.pfx (tối đa 200 KB).", code="bad_pkcs12")
    scanning.ensure_clean(p12, name="chứng thư số")
    secret = (password or "").encode("utf-8")
    identity = load_pkcs12(p12, secret)
    if _public_der(identity.key.public_key()) != _public_der(identity.cert.public_key()):
        raise ValidationError("Khóa bí mật trong tệp không khớp với chứng thư số.", code="key_mismatch")
    require_usable_certificate(identity, timezone.now().astimezone(VN_TZ))
    image = _checked_image(signature_image)
    info = describe(identity.cert)

    with transaction.atomic():
        if SigningCertificate.objects.filter(fingerprint=info.fingerprint, is_active=True).exists():
            raise ValidationError("Chứng thư số này đã được đăng ký và đang sử dụng.", code="duplicate")
        certificate = SigningCertificate.objects.create(
            official=official, agency=agency, kind=SigningCertificate.Kind.PKCS12,
            subject_cn=info.subject_cn, issuer_cn=info.issuer_cn, serial=info.serial,
            not_before=info.not_before, not_after=info.not_after, fingerprint=info.fingerprint,
            certificate_der=info.der,
            pkcs12_sealed=vault.seal(p12, context=f"pkcs12:{info.fingerprint}"),
            password_sealed=vault.seal(secret, context=f"password:{info.fingerprint}"),
            vault_key_id=vault.key_id(), signature_image=image,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        record(actor, "signing.certificate_registered", certificate,
               agency=agency or official.agency,
               summary={"subject": info.subject_cn, "serial": info.serial, "owner": "agency" if agency else "official",
                        "not_after": info.not_after.isoformat()})
    return certificate


def deactivate_certificate(*, actor, certificate: SigningCertificate) -> SigningCertificate:
    """Stop using a certificate (ngừng sử dụng): its owner, or an administrator of its agency."""
    owner_agency = certificate.owner_agency
    is_owner = certificate.official_id and getattr(actor, "official_or_none", None) is not None \
        and actor.official.pk == certificate.official_id
    if not is_owner:
        ensure_can(actor, "signing.manage_agency_certificates", owner_agency)
    with transaction.atomic():
        certificate = SigningCertificate.objects.select_for_update().get(pk=certificate.pk)
        if not certificate.is_active:
            raise StateError("Chứng thư số này đã ngừng sử dụng.")
        certificate.is_active = False
        certificate.deactivated_at = timezone.now()
        certificate.save(update_fields=["is_active", "deactivated_at"])
        record(actor, "signing.certificate_deactivated", certificate, agency=owner_agency,
               summary={"subject": certificate.subject_cn, "serial": certificate.serial})
    return certificate


def provider_for(certificate: SigningCertificate) -> SignerProvider:
    """The key behind a stored certificate, decrypted only for the signature being made."""
    if certificate.kind != SigningCertificate.Kind.PKCS12:
        raise SigningError("Chứng thư số này cần thiết bị hoặc dịch vụ ký số chưa được kết nối với máy chủ.",
                           code="provider_unavailable")
    fp = certificate.fingerprint
    return Pkcs12Provider(vault.open_sealed(certificate.pkcs12_sealed, context=f"pkcs12:{fp}"),
                          vault.open_sealed(certificate.password_sealed, context=f"password:{fp}"))


def rotate_vault_key(*, actor, old_secret: str) -> tuple[int, int]:
    """Re-encrypt every stored certificate under the current EGOV_SIGNING_KEY (đổi khóa mã hóa).

    Rows already under the current key are left alone, so an interrupted or repeated rotation is
    safe to run again; one row that opens with neither key stops it before anything changes.
    Returns (re-encrypted, already under the current key).
    """
    old = old_secret.strip().encode()
    if not old:
        raise ValidationError("Cần khóa cũ (EGOV_SIGNING_KEY_OLD) để đổi khóa mã hóa.", code="old_key_missing")
    current = vault.key_id()
    if vault.key_id(old) == current:
        raise ValidationError("Khóa cũ trùng với khóa EGOV_SIGNING_KEY hiện tại: đặt khóa mới vào "
                              "EGOV_SIGNING_KEY và khóa đang dùng vào EGOV_SIGNING_KEY_OLD.", code="same_key")
    rotated = unchanged = 0
    with transaction.atomic():
        rows = SigningCertificate.objects.select_for_update().filter(pkcs12_sealed__isnull=False).order_by("pk")
        for certificate in rows:
            contexts = (f"pkcs12:{certificate.fingerprint}", f"password:{certificate.fingerprint}")
            sealed = (certificate.pkcs12_sealed, certificate.password_sealed)
            try:
                for value, context in zip(sealed, contexts, strict=True):
                    vault.open_sealed(value, context=context)
            except SigningError:
                pass
            else:
                unchanged += 1
                continue
            try:
                plain = [vault.open_sealed(value, context=context, secret=old)
                         for value, context in zip(sealed, contexts, strict=True)]
            except SigningError as exc:
                raise SigningError(
                    f"Chứng thư số #{certificate.pk} ({certificate.subject_cn}) không mở được bằng khóa cũ "
                    "lẫn khóa mới; chưa đổi khóa cho chứng thư nào.", code="vault_mismatch") from exc
            certificate.pkcs12_sealed, certificate.password_sealed = (
                vault.seal(value, context=context) for value, context in zip(plain, contexts, strict=True))
            certificate.vault_key_id = current
            certificate.save(update_fields=["pkcs12_sealed", "password_sealed", "vault_key_id"])
            rotated += 1
        # Other apps' secrets in the vault (the keys to call exchange peers, webhook secrets): each app's
        # `vault.rotate(old)` re-seals its rows the same way, in this transaction.
        others = {module.__name__: module.rotate(old)[0]
                  for module in egov_modules("vault", exclude=("egov.signing",))}
        others = {name: count for name, count in others.items() if count}
        if rotated or others:
            record(actor, "signing.vault_key_rotated", object_type="signing.signingcertificate",
                   summary={"rotated": rotated, "unchanged": unchanged, "key_id": current,
                            **({"others": others} if others else {})})
    return rotated, unchanged


# ------------------------------------------------------------------ trusted roots


def add_trusted_root(*, actor, name: str, data: bytes) -> TrustedRoot:
    """Trust a root certificate (thêm chứng thư số gốc tin cậy), e.g. the national root CA."""
    if actor is not None:
        ensure_can(actor, "signing.manage_trust_roots")
    scanning.ensure_clean(bytes(data or b""), name=name or "chứng thư số gốc")
    cert = parse_certificate(data)
    info = describe(cert)
    if not info.is_ca:
        raise ValidationError("Chứng thư này không phải của tổ chức chứng thực (không có quyền cấp chứng thư).",
                              code="not_a_ca")
    with transaction.atomic():
        if TrustedRoot.objects.filter(fingerprint=info.fingerprint).exists():
            raise ValidationError("Chứng thư số gốc này đã có trong danh sách tin cậy.", code="duplicate")
        root = TrustedRoot.objects.create(
            name=(name or info.subject_cn).strip()[:255], certificate_der=info.der, fingerprint=info.fingerprint,
            subject_cn=info.subject_cn, not_after=info.not_after,
            added_by=actor if getattr(actor, "pk", None) else None)
        record(actor, "signing.trusted_root_added", root, summary={"subject": info.subject_cn,
                                                                   "fingerprint": info.fingerprint})
    return root


def remove_trusted_root(*, actor, root: TrustedRoot) -> None:
    ensure_can(actor, "signing.manage_trust_roots")
    with transaction.atomic():
        record(actor, "signing.trusted_root_removed", root, summary={"subject": root.subject_cn,
                                                                     "fingerprint": root.fingerprint})
        root.delete()


# ------------------------------------------------------------------ signing


class AgencyStamp(StampSpec):
    """The agency's signature (chữ ký số của cơ quan) as Decree 30/2020, Appendix I prints it."""

    def lines(self, now):
        from egov.signing.pades import format_vn_datetime

        lines = [f"Cơ quan: {self.signer_name}"]
        if self.agency:  # the agency's e-mail, when it has one
            lines.append(f"Email: {self.agency}")
        lines.append("Thời gian ký: " + format_vn_datetime((self.signed_at or now).astimezone(VN_TZ)))
        return lines


def sign_for_official(*, actor, pdf: bytes, certificate: SigningCertificate | None = None,
                      stamp_box: tuple[float, float, float, float] | None = None, page: int = -1,
                      reason: str = "Phê duyệt văn bản", location: str = "", obj=None) -> bytes:
    """A leader signs a PDF with their own registered certificate (ký số cá nhân).

    The visible stamp shows name, position, agency and time at `stamp_box` on `page` (default:
    bottom right of the last page). `obj` is the document or result being signed, for the record.
    """
    official = getattr(actor, "official_or_none", None)
    if official is None:
        raise PermissionDenied("Chỉ cán bộ mới ký số được văn bản.")
    ensure_can(actor, "signing.sign_personal", official.agency)
    if certificate is None:
        certificate = active_certificate_of_official(official)
        if certificate is None:
            raise ValidationError("Bạn chưa đăng ký chứng thư số còn hiệu lực. "
                                  "Hãy đăng ký tại mục \u201cChứng thư số của tôi\u201d.", code="no_certificate")
    elif certificate.official_id != official.pk:
        raise PermissionDenied("Chỉ người được cấp chứng thư số mới được ký bằng chứng thư số đó.")
    if not certificate.is_active:
        raise StateError("Chứng thư số này đã ngừng sử dụng.")
    stamp = StampSpec(signer_name=actor.display_name, position=official.position, agency=official.agency.name,
                      page=page, box=stamp_box, image_png=_bytes_or_none(certificate.signature_image))
    return _sign(actor=actor, pdf=pdf, certificate=certificate, stamp=stamp, reason=reason, location=location,
                 agency=official.agency, role=SignatureRecord.Role.OFFICIAL, obj=obj)


def sign_for_agency(*, actor, agency, pdf: bytes, stamp_box=None, page: int = 0,
                    reason: str = "Ban hành văn bản", obj=None) -> bytes:
    """The clerk adds the agency's signature at issuing (ký số của cơ quan khi phát hành).

    An incremental update, so the leader's signature stays valid. The stamp goes to the top
    right of the first page, where Decree 30/2020 places the agency's digital signature.
    """
    ensure_can(actor, "signing.sign_agency", agency)
    certificate = active_certificate_of_agency(agency)
    if certificate is None:
        raise ValidationError(f"{agency.name} chưa có chứng thư số còn hiệu lực. "
                              "Hãy đề nghị quản trị đơn vị đăng ký chứng thư số của cơ quan.", code="no_certificate")
    if stamp_box is None:
        stamp_box = stamp_box_at(pdf, page=page, corner="top-right", height=46.0)
    stamp = AgencyStamp(signer_name=agency.name, agency=agency.email, page=page, box=stamp_box,
                        image_png=_bytes_or_none(certificate.signature_image))
    return _sign(actor=actor, pdf=pdf, certificate=certificate, stamp=stamp, reason=reason, location="",
                 agency=agency, role=SignatureRecord.Role.AGENCY, obj=obj)


def _sign(*, actor, pdf, certificate, stamp, reason, location, agency, role, obj) -> bytes:
    identity = provider_for(certificate).identity()
    # the signature itself is slow CPU work: outside the transaction, which then records it
    signed, level = _sign_at_best_level(pdf, identity=identity, stamp=stamp, reason=reason,
                                        location=location or None)
    digest = hashlib.sha256(signed).hexdigest()
    with transaction.atomic():
        rec = SignatureRecord.objects.create(
            signer=actor, certificate=certificate, agency=agency, role=role, level=level,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "", sha256=digest, signed_at=timezone.now())
        record(actor, "signing.signed", obj if obj is not None else rec, agency=agency,
               summary={"role": role, "level": rec.level, "certificate": certificate.serial, "sha256": digest,
                        "record": rec.pk})
    return signed


def _sign_at_best_level(pdf: bytes, **kwargs) -> tuple[bytes, str]:
    """PAdES B-B without a timestamp authority; with one, B-LT when the signer's chain and its
    revocation data can be gathered (so the signature can be checked after the CA is gone),
    else B-T."""
    tsa_url = getattr(settings, "SIGNING_TSA_URL", "") or None
    if not tsa_url:
        return sign_pdf(pdf, **kwargs), "B-B"
    roots = trust_roots_der()
    if roots:
        try:
            signed = sign_pdf(pdf, timestamp_url=tsa_url, embed_validation=True, trust_roots=roots,
                              allow_fetching=getattr(settings, "SIGNING_FETCH_REVOCATION", True), **kwargs)
        except SigningError as exc:
            if exc.code != "ltv_failed":
                raise
        else:
            return signed, ("B-LT" if _embeds_revocation_data(signed) else "B-T")
    return sign_pdf(pdf, timestamp_url=tsa_url, **kwargs), "B-T"


def _embeds_revocation_data(pdf: bytes) -> bool:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError

    try:
        dss = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(pdf), strict=False))
    except NoDSSFoundError:
        return False
    return bool(list(dss.crls) or list(dss.ocsps))


# ------------------------------------------------------------------ verification


def verify_and_summarise(pdf: bytes, *, allow_fetching: bool | None = None) -> VerificationReport:
    """Check every signature against the administrator's trusted roots (kiểm tra chữ ký số).

    Public and read-only: stores nothing. A file that is not a PDF raises `SigningError`.
    """
    if allow_fetching is None:
        allow_fetching = getattr(settings, "SIGNING_FETCH_REVOCATION", True)
    return verify_pdf(pdf, trust_roots=trust_roots_der(), allow_fetching=allow_fetching)


# ------------------------------------------------------------------ helpers


def _public_der(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _bytes_or_none(value) -> bytes | None:
    return bytes(value) if value else None


def _checked_image(data: bytes | None) -> bytes | None:
    if not data:
        return None
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationError("Hình chữ ký tối đa 300 KB.", code="bad_image")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise ValidationError("Hình chữ ký phải là tệp PNG.", code="bad_image")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError("Hình chữ ký phải là tệp PNG hợp lệ.", code="bad_image") from exc
    scanning.ensure_clean(bytes(data), name="hình chữ ký")
    return bytes(data)


CORNERS = ("bottom-right", "bottom-left", "top-right", "top-left")


def stamp_box_at(pdf: bytes, *, page: int, corner: str, width: float = 220.0,
                 height: float = 56.0) -> tuple[float, float, float, float]:
    """A stamp box in a corner of a page (PDF points, inside a 28 pt margin); A4 when the page
    size cannot be read (signing then reports the broken file with its own message)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    if corner not in CORNERS:
        raise ValidationError("Vị trí hình chữ ký không hợp lệ.", code="bad_corner")
    x0, y0, x1, y1 = 0.0, 0.0, 595.0, 842.0
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        count = int(reader.root["/Pages"]["/Count"])
        node = reader.find_page_for_modification(page if page >= 0 else count + page)[0].get_object()
        while node is not None and "/MediaBox" not in node:
            parent = node.get("/Parent")
            node = parent.get_object() if parent is not None else None
        if node is not None:
            x0, y0, x1, y1 = (float(v) for v in node["/MediaBox"])
    except Exception:  # noqa: BLE001, S110 -- an unreadable page size keeps the default corner
        pass
    margin = 28.0
    left = x0 + margin if corner.endswith("left") else x1 - margin - width
    bottom = y0 + margin if corner.startswith("bottom") else y1 - margin - height
    return (left, bottom, left + width, bottom + height)
