"""Encryption at rest for signing keys (két khóa): PKCS#12 files and their passwords.

AES-256-GCM with a key derived (HKDF-SHA256) from EGOV_SIGNING_KEY. Each value carries its own
random nonce and is bound to its row and purpose through the associated data, so a ciphertext
copied into another row or another column fails to open instead of yielding a key. In
development the key comes from a file under DATA_DIR, made once (like the dev secret key);
production refuses to store or open anything without EGOV_SIGNING_KEY.
"""

from __future__ import annotations

import hashlib
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from egov.signing.errors import SigningError

VERSION = b"\x01"
_NONCE = 12
_INFO = b"egov signing vault v1"


class VaultUnavailable(SigningError):
    code = "signing_key_missing"
    status = 503


def _secret() -> bytes:
    configured = getattr(settings, "SIGNING_KEY", "")
    if configured:
        return configured.encode()
    if getattr(settings, "PRODUCTION", False):
        raise VaultUnavailable(
            "Máy chủ chưa được cấu hình khóa mã hóa chứng thư số (EGOV_SIGNING_KEY), "
            "nên không lưu hay dùng được chứng thư số."
        )
    path = settings.DATA_DIR / "signing_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting together must not each write a different key
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write("dev-" + secrets.token_urlsafe(48))
    return path.read_text().strip().encode()


def _key(secret: bytes | None = None) -> bytes:
    """The AES key from `secret`, by default the configured one (another only for key rotation)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret or _secret())


def key_id(secret: bytes | None = None) -> str:
    """A short public fingerprint of the current key, stored beside each ciphertext."""
    return hashlib.sha256(b"key-id" + _key(secret)).hexdigest()[:16]


def seal(plain: bytes, *, context: str) -> bytes:
    """Encrypt `plain`; `context` (e.g. "pkcs12:<fingerprint>") must be given again to open it."""
    nonce = secrets.token_bytes(_NONCE)
    return VERSION + nonce + AESGCM(_key()).encrypt(nonce, plain, context.encode())


def open_sealed(sealed: bytes, *, context: str, secret: bytes | None = None) -> bytes:
    sealed = bytes(sealed)
    if not sealed.startswith(VERSION) or len(sealed) < 1 + _NONCE + 16:
        raise SigningError("Dữ liệu chứng thư số đã lưu bị hỏng.", code="vault_corrupt")
    nonce, body = sealed[1:1 + _NONCE], sealed[1 + _NONCE:]
    try:
        return AESGCM(_key(secret)).decrypt(nonce, body, context.encode())
    except InvalidTag as exc:
        raise SigningError(
            "Không giải mã được chứng thư số đã lưu (khóa mã hóa EGOV_SIGNING_KEY đã thay đổi "
            "hoặc dữ liệu bị sửa).",
            code="vault_mismatch",
        ) from exc


def reseal(rows, *, field: str, context, describe, old: bytes) -> tuple[int, int]:
    """Re-seal `field` of each of `rows` (locked by the caller's queryset) under the current key, for
    `egov keys rotate`: (re-sealed, already current). `context(row)` is the row's sealing context,
    `describe(row)` names it in the error when neither key opens it, which rolls back the rotation."""
    rotated = unchanged = 0
    for row in rows:
        sealed = getattr(row, field)
        try:
            open_sealed(sealed, context=context(row))
        except SigningError:
            pass
        else:
            unchanged += 1
            continue
        try:
            plain = open_sealed(sealed, context=context(row), secret=old)
        except SigningError as exc:
            raise SigningError(f"{describe(row)} không mở được bằng khóa cũ lẫn khóa mới; chưa đổi khóa cho mục nào.",
                               code="vault_mismatch") from exc
        setattr(row, field, seal(plain, context=context(row)))
        row.save(update_fields=[field])
        rotated += 1
    return rotated, unchanged
