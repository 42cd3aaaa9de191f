"""Backup and restore (sao lưu và phục hồi dữ liệu).

One tar archive holds a consistent database snapshot, every stored file (read through Django's
storage API, so local folders and S3 alike), the keys that open the stored certificates, and a
manifest (JSON) with the migration state, each table's row count and each file's size and
SHA-256. A restore checks the archive against its manifest before it writes anything, brings it
back into an empty database and storage, then checks the result: the same files with the same
hashes, the same row counts, intact audit chains, and whatever each app's `backup.py` adds
(`backup_checks.restore_problems()`: e.g. every certificate still opens).

The database is snapshotted first and the files are read after it: uploads are written before
the row that names them is committed, so every file the snapshot refers to already exists.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone

from egov.core.audit import verify_chains
from egov.core.errors import DomainError
from egov.core.registry import egov_modules

FORMAT = "egov-backup"
VERSION = 1
MANIFEST = "manifest.json"
FILES = "files/"
KEYS = "keys/"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# The keys egov reads from an EGOV_* variable or, when it is unset (development), from a file it
# made under DATA_DIR. The signing key opens the stored PKCS#12 certificates: without it they
# are lost. The secret key only signs sessions and links, so it travels only as a file.
KEY_FILES = {
    "signing_key": "EGOV_SIGNING_KEY: decrypts the stored PKCS#12 certificates",
    "secret_key": "EGOV_SECRET_KEY (development key file): signs sessions and links",
}
SECRETS_NOTE = (
    "This archive holds secrets: the key that decrypts the stored signing certificates, and the "
    "database with every citizen's personal data. Store it encrypted (age, gpg, an encrypted "
    "volume) and offline; anyone who reads it can sign in the agencies' names."
)
CHUNK = 1024 * 1024

Progress = Callable[[str], None]


class BackupError(DomainError):
    code = "backup_failed"


class RestoreRefused(DomainError):
    code = "restore_refused"


class RestoreMismatch(DomainError):
    """The archive or the restored data differ from the manifest: each problem is listed."""

    code = "restore_mismatch"

    def __init__(self, problems: list[str]):
        super().__init__(f"Dữ liệu phục hồi không khớp với bản sao lưu ({len(problems)} lỗi).",
                         details={"problems": problems})
        self.problems = problems


@dataclass
class RestoreReport:
    tables: int = 0
    rows: int = 0
    files: int = 0
    bytes: int = 0
    audit_entries: int = 0
    keys: list[str] = field(default_factory=list)


def _quiet(message: str) -> None:
    pass


# ------------------------------------------------------------------ backup


def create_backup(output: Path, *, include_keys: bool = True, progress: Progress = _quiet) -> dict:
    """Write the archive to `output` (tar; .tar.gz/.tgz/.tar.xz compress) and return its manifest."""
    output = Path(output)
    if output.exists():
        raise BackupError(f"Tệp {output} đã tồn tại; chọn tên khác để không ghi đè bản sao lưu cũ.")
    output.parent.mkdir(parents=True, exist_ok=True)
    unfinished = output.with_name(output.name + ".partial")
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu loại {vendor}.")
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".egov-backup-") as tmp:
        db_path = Path(tmp) / DATABASE_MEMBERS[vendor]
        progress("Đang chụp cơ sở dữ liệu ...")
        if vendor == "sqlite":
            migrations, counts = _sqlite_snapshot(db_path)
        else:
            migrations, counts, pg_version = _postgres_snapshot(db_path)
        names = sorted(_walk(default_storage))
        progress(f"Cơ sở dữ liệu: {len(counts)} bảng, {sum(counts.values())} dòng. Tệp đính kèm: {len(names)}.")
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "database": {"engine": vendor, "member": DATABASE_MEMBERS[vendor],
                         "size": db_path.stat().st_size, "sha256": _sha256_file(db_path)},
            "migrations": migrations,
            "row_counts": counts,
            "files": [],
            "keys": [],
            "contains_secrets": include_keys,
            "note": SECRETS_NOTE if include_keys else "Keys are not in this archive: keep EGOV_SIGNING_KEY "
                    "elsewhere, the stored certificates cannot be opened without it.",
        }
        if vendor == "postgresql":
            manifest["database"]["pg_dump_version"] = pg_version
        fd = os.open(unfinished, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)   # it holds secrets
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode=_write_mode(output)) as tar:
                tar.add(db_path, arcname=DATABASE_MEMBERS[vendor])
                total = 0
                for number, name in enumerate(names, 1):
                    manifest["files"].append(_add_stored_file(tar, name))
                    total += manifest["files"][-1]["size"]
                    if number % 200 == 0 or number == len(names):
                        progress(f"Tệp: {number}/{len(names)} ({total / 1e6:.1f} MB)")
                if include_keys:
                    for name, purpose in KEY_FILES.items():
                        value = _current_key(name)
                        if value:
                            _add_bytes(tar, KEYS + name, value.encode())
                            manifest["keys"].append({"name": name, "purpose": purpose,
                                                     "sha256": hashlib.sha256(value.encode()).hexdigest()})
                _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
            unfinished.rename(output)
        finally:
            unfinished.unlink(missing_ok=True)
    progress(f"Đã ghi bản sao lưu {output} ({output.stat().st_size / 1e6:.1f} MB).")
    return manifest


def _write_mode(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".tar.gz", ".tgz")):
        return "w:gz"
    if name.endswith((".tar.xz", ".txz")):
        return "w:xz"
    return "w"


def _tables(cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(row[0] for row in cursor.fetchall())


def _state(cursor, vendor: str) -> tuple[list[str], dict[str, int]]:
    """(applied migrations, row count of every table) as this cursor's transaction sees them."""
    counts = {}
    for table in _tables(cursor, vendor):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = int(cursor.fetchone()[0])
    migrations = []
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    return migrations, counts


def _sqlite_snapshot(path: Path) -> tuple[list[str], dict[str, int]]:
    # SQLite's online backup copies a consistent image page by page while others keep writing.
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
        return _state(target.cursor(), "sqlite")
    finally:
        target.close()


def _pg_environ() -> dict[str, str]:
    """libpq's variables for the configured database (a password never goes on a command line)."""
    params = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"),
                          ("PGPASSWORD", "PASSWORD"), ("PGDATABASE", "NAME")):
        if params.get(key):
            env[variable] = str(params[key])
    return env


def _major(version_text: str) -> int:
    """15 from "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"."""
    found = re.search(r"\)\s*(\d+)", version_text)
    return int(found.group(1)) if found else 0


def _pg_tool(name: str) -> tuple[str, str]:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"Không tìm thấy lệnh {name} (gói postgresql-client) trên máy này.")
    version = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    return path, version


def _postgres_snapshot(path: Path) -> tuple[list[str], dict[str, int], str]:
    pg_dump, version = _pg_tool("pg_dump")
    connection.ensure_connection()
    server = connection.pg_version // 10000
    if _major(version) != server:
        raise BackupError(
            f"Phiên bản pg_dump ({version}) khác phiên bản máy chủ PostgreSQL ({server}). "
            f"Cài postgresql-client-{server} để bản sao lưu đọc được đúng dữ liệu.")
    # pg_dump reads the snapshot this transaction exports, so the counts and the dump agree
    # exactly even while the site keeps writing.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        migrations, counts = _state(cursor, "postgresql")
        done = subprocess.run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={path}"],
                              env=_pg_environ(), capture_output=True, text=True, check=False)
    if done.returncode:
        raise BackupError(f"pg_dump thất bại: {done.stderr.strip()[:500]}")
    return migrations, counts, version


def _walk(storage, prefix: str = "") -> Iterator[str]:
    try:
        directories, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{prefix}{name}"
    for directory in directories:
        yield from _walk(storage, f"{prefix}{directory}/")


class _Hashing:
    """A reader that hashes what passes through it (tarfile copies from it)."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add_stored_file(tar: tarfile.TarFile, name: str) -> dict:
    size = default_storage.size(name)
    info = tarfile.TarInfo(FILES + name)
    info.size, info.mtime, info.mode = size, int(timezone.now().timestamp()), 0o600
    with default_storage.open(name, "rb") as handle:
        reader = _Hashing(handle)
        tar.addfile(info, reader)
    return {"path": name, "size": size, "sha256": reader.digest.hexdigest()}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


def _configured_key(name: str) -> str:
    """The key given by its EGOV_* variable (empty when the app falls back to its key file)."""
    if name == "signing_key":
        return getattr(settings, "SIGNING_KEY", "")
    return os.environ.get("EGOV_SECRET_KEY", "")


def _current_key(name: str) -> str:
    if name == "signing_key" and _configured_key(name):
        return _configured_key(name)
    path = settings.DATA_DIR / name
    return path.read_text().strip() if path.exists() else ""


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


# ------------------------------------------------------------------ restore


def restore_backup(archive: Path, *, force: bool = False, progress: Progress = _quiet) -> RestoreReport:
    """Bring `archive` back into the configured (empty) database and storage, then prove it."""
    archive = Path(archive)
    if not archive.is_file():
        raise RestoreRefused(f"Không tìm thấy tệp sao lưu {archive}.")
    with tempfile.TemporaryDirectory(prefix=".egov-restore-", dir=settings.DATA_DIR) as tmp:
        staged = Path(tmp)
        progress(f"Đang đọc và kiểm tra {archive} ...")
        manifest, hashes = _stage(archive, staged)
        problems = _archive_problems(manifest, hashes)
        if problems:
            raise RestoreMismatch(problems)
        vendor = manifest["database"]["engine"]
        if vendor != connection.vendor:
            raise RestoreRefused(f"Bản sao lưu là của cơ sở dữ liệu {vendor}, còn máy này cấu hình "
                                 f"{connection.vendor}: phục hồi vào cùng loại cơ sở dữ liệu.")
        _ensure_empty(force)
        keys = _restore_keys(manifest, staged, force)
        progress("Đang phục hồi cơ sở dữ liệu ...")
        database = staged / manifest["database"]["member"]
        if vendor == "sqlite":
            _restore_sqlite(database)
        else:
            _restore_postgres(database, force)
        files = manifest["files"]
        for number, entry in enumerate(files, 1):
            _restore_file(staged / "files" / entry["path"], entry["path"], force)
            if number % 200 == 0 or number == len(files):
                progress(f"Tệp: {number}/{len(files)}")
    progress("Đang kiểm tra dữ liệu đã phục hồi ...")
    report = verify_restored(manifest)
    report.keys = keys
    return report


def _stage(archive: Path, staged: Path) -> tuple[dict, dict[str, tuple[int, str]]]:
    """Unpack into `staged`, hashing each member on the way; only known member names are taken."""
    hashes: dict[str, tuple[int, str]] = {}
    manifest = None
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                name = member.name
                if not member.isfile() or not _safe_member(name):
                    raise RestoreRefused(f"Bản sao lưu chứa mục không hợp lệ: {name!r}.")
                source = tar.extractfile(member)
                if name == MANIFEST:
                    manifest = json.loads(source.read().decode())
                    continue
                target = staged / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with open(target, "wb") as out:
                    for block in iter(partial(source.read, CHUNK), b""):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
                hashes[name] = (size, digest.hexdigest())
    except (tarfile.TarError, EOFError, OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RestoreRefused(f"Không đọc được tệp sao lưu {archive}: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise RestoreRefused(f"{archive} không phải bản sao lưu của egov (thiếu {MANIFEST}).")
    missing = {"database", "migrations", "row_counts", "files", "keys"} - set(manifest)
    if missing:
        raise RestoreRefused(f"Danh mục {MANIFEST} của bản sao lưu thiếu mục: {', '.join(sorted(missing))}.")
    if manifest.get("version") != VERSION:
        raise RestoreRefused(f"Bản sao lưu phiên bản {manifest.get('version')} không được hỗ trợ "
                             f"(phiên bản này đọc được {VERSION}).")
    return manifest, hashes


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name:
        return False
    return name == MANIFEST or name in DATABASE_MEMBERS.values() or name.startswith((FILES, KEYS))


def _archive_problems(manifest: dict, hashes: dict[str, tuple[int, str]]) -> list[str]:
    expected = {FILES + entry["path"]: (entry["size"], entry["sha256"]) for entry in manifest["files"]}
    database = manifest["database"]
    expected[database["member"]] = (database["size"], database["sha256"])
    expected.update({KEYS + key["name"]: (None, key["sha256"]) for key in manifest["keys"]})
    problems = []
    for name, (size, sha256) in expected.items():
        found = hashes.get(name)
        if found is None:
            problems.append(f"Thiếu trong bản sao lưu: {name}")
        elif found[1] != sha256 or (size is not None and found[0] != size):
            problems.append(f"Sai mã băm SHA-256 (tệp đã bị sửa hoặc hỏng): {name}")
    problems += [f"Không có trong danh mục: {name}" for name in sorted(set(hashes) - set(expected))]
    return problems


def _ensure_empty(force: bool) -> None:
    with connection.cursor() as cursor:
        tables = _tables(cursor, connection.vendor)
    stored = next(_walk(default_storage), None)
    if force:
        return
    if tables:
        raise RestoreRefused(
            f"Cơ sở dữ liệu đích đã có {len(tables)} bảng. Phục hồi chỉ ghi vào cơ sở dữ liệu trống; "
            "thêm --force để ghi đè dữ liệu đang có.")
    if stored is not None:
        raise RestoreRefused(
            f"Kho tệp đích đã có tệp ({stored}). Phục hồi chỉ ghi vào kho trống; "
            "thêm --force để ghi đè.")


def _restore_keys(manifest: dict, staged: Path, force: bool) -> list[str]:
    """Put the archived keys where the app reads them; a configured EGOV_* key is never replaced."""
    restored = []
    for key in manifest["keys"]:
        name = key["name"]
        value = (staged / KEYS / name).read_text().strip()
        if name not in KEY_FILES or _configured_key(name):
            continue   # the operator configured it: restore_problems() reports if it cannot open them
        path = settings.DATA_DIR / name
        if name == "signing_key" and path.exists() and path.read_text().strip() != value and not force:
            raise RestoreRefused(f"Đã có tệp khóa {path} khác với khóa trong bản sao lưu; "
                                 "thêm --force để thay bằng khóa trong bản sao lưu.")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(value)
        restored.append(str(path))
    return restored


def _restore_sqlite(database: Path) -> None:
    connection.close()
    source = sqlite3.connect(database)
    target = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def _restore_postgres(database: Path, force: bool) -> None:
    pg_restore, _ = _pg_tool("pg_restore")
    connection.close()
    args = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if force:
        args += ["--clean", "--if-exists"]
    environ = _pg_environ()
    done = subprocess.run([*args, f"--dbname={environ.get('PGDATABASE', '')}", str(database)],
                          env=environ, capture_output=True, text=True, check=False)
    if done.returncode:
        raise BackupError(f"pg_restore thất bại: {done.stderr.strip()[:500]}")


def _restore_file(source: Path, name: str, force: bool) -> None:
    if force and default_storage.exists(name):
        default_storage.delete(name)
    with open(source, "rb") as handle:
        saved = default_storage.save(name, File(handle, name=name))
    if saved != name:
        raise BackupError(f"Kho tệp lưu {name} dưới tên khác ({saved}).")


def verify_restored(manifest: dict) -> RestoreReport:
    """Compare the live database and storage with `manifest`; RestoreMismatch lists what differs."""
    connection.close()
    problems = []
    with connection.cursor() as cursor:
        migrations, counts = _state(cursor, connection.vendor)
    for table, expected in sorted(manifest["row_counts"].items()):
        if counts.get(table) != expected:
            problems.append(f"Bảng {table}: {counts.get(table)} dòng, bản sao lưu có {expected}")
    if migrations != manifest["migrations"]:
        problems.append("Trạng thái migration khác bản sao lưu")
    report = RestoreReport(tables=len(counts), rows=sum(counts.values()))
    listed = set()
    for entry in manifest["files"]:
        listed.add(entry["path"])
        try:
            with default_storage.open(entry["path"], "rb") as handle:
                digest = hashlib.sha256()
                for block in iter(lambda: handle.read(CHUNK), b""):
                    digest.update(block)
        except FileNotFoundError:
            problems.append(f"Thiếu tệp trong kho: {entry['path']}")
            continue
        if digest.hexdigest() != entry["sha256"]:
            problems.append(f"Sai mã băm SHA-256 trong kho: {entry['path']}")
        report.files += 1
        report.bytes += entry["size"]
    problems += [f"Bản ghi trỏ tới tệp không có: {name}" for name in _referenced_files() if name not in listed]
    checked, broken = verify_chains()
    report.audit_entries = checked
    problems += [f"Chuỗi nhật ký {link.chain} gãy tại mục {link.seq}: {link.reason}" for link in broken]
    for module in egov_modules("backup_checks"):
        problems += module.restore_problems()
    if problems:
        raise RestoreMismatch(problems)
    return report


def _referenced_files() -> Iterator[str]:
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                yield from (model.objects.exclude(**{model_field.name: ""})
                            .exclude(**{f"{model_field.name}__isnull": True})
                            .values_list(model_field.name, flat=True).iterator())
