"""Full-text index over SearchText.body, one per database engine, same service interface.

SQLite: an FTS5 table with external content (the text is stored once, in documents_searchtext);
the services insert and delete its rows (egov.documents.search). PostgreSQL: a generated
tsvector column and a GIN index. The body is already folded (no diacritics) by the services, so
the 'simple' configuration is enough and `unaccent` is only a safety net for raw queries.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5("
    "body, content='documents_searchtext', content_rowid='document_id', tokenize='unicode61 remove_diacritics 2')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS documents_fts"]
PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "ALTER TABLE documents_searchtext ADD COLUMN IF NOT EXISTS vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, body)) STORED",
    "CREATE INDEX IF NOT EXISTS documents_searchtext_vector_gin ON documents_searchtext USING gin (vector)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS documents_searchtext_vector_gin",
    "ALTER TABLE documents_searchtext DROP COLUMN IF EXISTS vector",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_seed_document_types")]
    operations = [migrations.RunPython(forward, backward)]
