"""Restore drill (diễn tập phục hồi), run the way an operator runs it: the real `egov` command.

A demo province (dossiers with papers, documents with files, two signed PDFs, certificates,
audit chains) is built in a fresh data folder, backed up with `egov backup`, restored with
`egov restore` into another fresh folder (on PostgreSQL: a database this module creates and
drops), and compared with the original independently of the restore's own checks: every table's
content, every stored file's SHA-256, the audit chains, and a restored certificate still signs.
A changed byte in the archive, or a folder that already holds data, makes the restore fail.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import dj_database_url
import pytest

SIGN_DOCUMENT = """
from egov.documents.models import Document
from egov.org.models import User
from egov.documents.outgoing import issue_signed_document, sign_outgoing_document

document = Document.objects.get(status=Document.Status.AWAITING_SIGNATURE)
sign_outgoing_document(actor=document.signer, document=document)
clerk = User.objects.get(username__endswith=".vanthu", official__agency=document.agency)
issue_signed_document(actor=clerk, document=document)
"""

SIGN_AFTER_RESTORE = """
from egov.core.pdf import new_pdf, pdf_bytes
from egov.org.models import User
from egov.signing import services

pdf = new_pdf(title="Sau phục hồi")
pdf.add_page()
pdf.multi_cell(0, 8, "Ký sau khi phục hồi")
signed = services.sign_for_official(actor=User.objects.get(username="ubnd.lanhdao"), pdf=pdf_bytes(pdf))
print("signed", len(signed))
"""

POSTGRES_URL = os.environ.get("EGOV_DATABASE_URL", "")


class Site:
    """One egov installation: a data folder and, on PostgreSQL, its own database."""

    def __init__(self, root: Path, name: str):
        self.data = root / name
        self.database = f"egov_backup_{name}_{os.getpid()}" if POSTGRES_URL else ""

        self.extra_env: dict[str, str] = {}

    def env(self) -> dict:
        env = {key: value for key, value in os.environ.items()
               if key not in {"EGOV_DATABASE_URL", "EGOV_TEST_DATABASE_NAME", "EGOV_SIGNING_KEY",
                              "EGOV_SECRET_KEY", "EGOV_MEDIA_ROOT", "EGOV_ENV", "DJANGO_SETTINGS_MODULE"}
               and not key.startswith("EGOV_S3_")}
        env.update(EGOV_DATA_DIR=str(self.data), EGOV_DEMO="1", EGOV_DEMO_HISTORY="0",
                   EGOV_SIGNING_FETCH_REVOCATION="0", EGOV_TSA_URL="", **self.extra_env)
        if self.database:
            env["EGOV_DATABASE_URL"] = _server_url(self.database)
        return env

    def egov(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "egov.cli", *args], env=self.env(),
                              capture_output=True, text=True, check=False)
        if check and done.returncode:
            pytest.fail(f"egov {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done

    def tables(self) -> dict[str, tuple[int, str]]:
        """Each table's row count and content digest, read straight from the database."""
        if self.database:
            import psycopg

            with psycopg.connect(_server_url(self.database)) as conn:
                names = [row[0] for row in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
                return {name: conn.execute(
                    f"SELECT COUNT(*), COALESCE(md5(string_agg(t::text, '|' ORDER BY t::text)), '') "
                    f'FROM "{name}" t').fetchone() for name in names}
        import sqlite3

        conn = sqlite3.connect(self.data / "egov.sqlite3")
        try:
            names = [row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
            found = {}
            for name in names:
                rows = sorted(map(repr, conn.execute(f'SELECT * FROM "{name}"')))
                found[name] = (len(rows), hashlib.sha256("|".join(rows).encode()).hexdigest())
            return found
        finally:
            conn.close()

    def media(self) -> dict[str, str]:
        root = self.data / "media"
        return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
                for path in sorted(root.rglob("*")) if path.is_file()}


def _server_url(database: str) -> str:
    params = dj_database_url.parse(POSTGRES_URL)
    auth = params["USER"] + (f":{params['PASSWORD']}" if params.get("PASSWORD") else "")
    return f"postgres://{auth}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{database}"


def _admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(_server_url("postgres"), autocommit=True) as conn:
        conn.execute(statement)


@contextlib.contextmanager
def fresh_sites(root: Path, *names: str):
    """Empty sites; on PostgreSQL each gets a database of its own, dropped afterwards."""
    sites = [Site(root, name) for name in names]
    for site in sites:
        if site.database:
            _admin(f'DROP DATABASE IF EXISTS "{site.database}"')
            _admin(f'CREATE DATABASE "{site.database}"')
    try:
        yield sites
    finally:
        for site in sites:
            if site.database:
                _admin(f'DROP DATABASE IF EXISTS "{site.database}" WITH (FORCE)')


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    """The demo site, its archive, and the site restored from it."""
    root = tmp_path_factory.mktemp("drill")
    with fresh_sites(root, "source", "restored") as (source, restored):
        source.egov("demo")
        source.egov("manage", "shell", "-c", SIGN_DOCUMENT)
        archive = root / "egov.tar.gz"
        source.egov("backup", "--output", str(archive))
        restore = restored.egov("restore", str(archive))
        yield source, restored, archive, restore


def test_the_restored_site_equals_the_original(drill):
    source, restored, archive, restore = drill
    tables = source.tables()
    # a realistic world: papers, document files, signatures, audit entries, certificates
    for table in ("dossiers_dossierfile", "documents_documentfile", "signing_signaturerecord",
                  "core_auditentry", "signing_signingcertificate"):
        assert tables[table][0] > 0, table
    assert restored.tables() == tables
    media = source.media()
    assert len(media) >= 140 and restored.media() == media
    assert archive.stat().st_mode & 0o077 == 0, "the archive holds secrets: owner-only"
    assert "bảng" in restore.stdout and "chuỗi nhật ký nguyên vẹn" in restore.stdout
    assert "Audit trail intact" in restored.egov("audit", "verify").stdout
    # the key came back with the data: a stored certificate still signs
    assert "signed" in restored.egov("manage", "shell", "-c", SIGN_AFTER_RESTORE).stdout


def test_the_restore_refuses_a_folder_that_already_holds_data_unless_forced(drill):
    source, restored, archive, _ = drill
    restored.egov("manage", "shell", "-c", "from egov.core.models import DemoLoad; DemoLoad.objects.all().delete()")
    changed = restored.tables()
    done = restored.egov("restore", str(archive), check=False)
    assert done.returncode != 0
    assert "Cơ sở dữ liệu đích đã có" in done.stderr and "--force" in done.stderr
    assert restored.tables() == changed != source.tables()

    restored.egov("restore", "--force", str(archive))
    assert restored.tables() == source.tables() and restored.media() == source.media()


def test_a_configured_signing_key_that_cannot_open_the_certificates_fails_the_restore(drill, tmp_path):
    _, _, archive, _ = drill
    with fresh_sites(tmp_path, "wrongkey") as (target,):
        target.extra_env = {"EGOV_SIGNING_KEY": "not-the-key-these-certificates-were-sealed-with"}
        done = target.egov("restore", str(archive), check=False)
    assert done.returncode != 0
    assert "không mở được" in done.stderr and "EGOV_SIGNING_KEY" in done.stderr
    assert not (target.data / "signing_key").exists()   # a configured key is never overridden


def test_one_changed_byte_in_the_archive_fails_the_restore(drill, tmp_path):
    _, _, archive, _ = drill
    with gzip.open(archive) as handle:
        data = bytearray(handle.read())
    with tarfile.open(fileobj=io.BytesIO(bytes(data))) as tar:
        member = next(m for m in tar if m.name.startswith("files/documents/"))
    data[member.offset_data + member.size // 2] ^= 0x01
    tampered = tmp_path / "tampered.tar.gz"
    tampered.write_bytes(gzip.compress(bytes(data)))

    target = Site(tmp_path, "tampered")
    target.database = ""   # refused before it writes anything, so no database is needed
    done = target.egov("restore", str(tampered), check=False)
    assert done.returncode != 0
    assert f"Sai mã băm SHA-256 (tệp đã bị sửa hoặc hỏng): {member.name}" in done.stderr
    assert not (target.data / "media").exists() or not any((target.data / "media").rglob("*.pdf"))


@pytest.mark.django_db(transaction=True)
def test_files_in_s3_come_back_into_an_empty_bucket(agency, other_agency, citizen, settings, tmp_path):
    """The archive reads and writes files through the storage API: S3 (moto on loopback) too."""
    from egov import settings as egov_settings
    from egov.core.backup import create_backup
    from tests.dossiers.conftest import World
    from tests.s3 import s3_server

    with s3_server() as source_bucket:
        settings.STORAGES = {**settings.STORAGES, "default": egov_settings.s3_storage(source_bucket.env)}
        World(agency, other_agency, citizen).submitted()
        stored = {key: source_bucket.read(key) for key in source_bucket.keys()}
        assert len(stored) == 2
        archive = tmp_path / "egov.tar"
        manifest = create_backup(archive)
        assert sorted(entry["path"] for entry in manifest["files"]) == sorted(stored)

        target_bucket = source_bucket.fresh_bucket()
        with fresh_sites(tmp_path, "s3") as (target,):
            target.extra_env = target_bucket.env
            target.egov("restore", str(archive))
            assert {key: target_bucket.read(key) for key in target_bucket.keys()} == stored
            assert not (target.data / "media").exists() or not any((target.data / "media").rglob("*.*"))


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="pg_dump is for PostgreSQL")
def test_a_pg_dump_of_another_major_version_is_refused(db, tmp_path, monkeypatch):
    from egov.core.backup import BackupError, create_backup

    # Only one PostgreSQL is installed here: a stand-in answers --version as an older client would.
    stub = tmp_path / "bin" / "pg_dump"
    stub.parent.mkdir()
    stub.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    stub.chmod(0o755)
    monkeypatch.setenv("PATH", f"{stub.parent}:{os.environ['PATH']}")
    with pytest.raises(BackupError, match="postgresql-client-"):
        create_backup(tmp_path / "egov.tar")
    assert not (tmp_path / "egov.tar").exists()
