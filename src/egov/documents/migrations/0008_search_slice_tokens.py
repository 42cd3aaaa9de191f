"""Add each document's slice token (search.slice_token: its agency and its slice of document
ids) to the indexed text, so PostgreSQL can read the newest matches a slice at a time; SQLite's
FTS5 index is rebuilt from the text (PostgreSQL's tsvector column is generated)."""

from django.db import migrations

SLICE_BITS = 16  # search.SLICE_BITS when written; changing it needs a migration like this one


def forward(apps, schema_editor):
    # One statement for both engines ('||' and '>>' are the same in SQLite and PostgreSQL);
    # rows indexed by the new code already start with their token.
    schema_editor.execute(
        "UPDATE documents_searchtext SET body = 'zs' || agency_id || 'x' || (document_id >> %s) || ' ' || body "
        "WHERE agency_id IS NOT NULL AND body NOT LIKE 'zs%%'", [SLICE_BITS])
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("INSERT INTO documents_fts(documents_fts) VALUES('rebuild')")


class Migration(migrations.Migration):
    dependencies = [("documents", "0007_signature_verdict")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
