"""Add the filter tokens (agency, type, year: search.filter_tokens) to the indexed text of
existing documents, and rebuild SQLite's FTS5 index from it (PostgreSQL's tsvector column is
generated, so it follows by itself)."""

from django.db import migrations


def forward(apps, schema_editor):
    from egov.documents.search import filter_tokens

    SearchText = apps.get_model("documents", "SearchText")
    for row in SearchText.objects.select_related("document__doc_type").iterator(chunk_size=2000):
        if row.body.startswith("zag"):
            continue
        document = row.document
        tokens = filter_tokens(agency_id=document.agency_id, type_code=document.doc_type.code,
                               year=document.issued_on.year if document.issued_on else None)
        row.body = f"{tokens} {row.body}"
        row.save(update_fields=["body"])
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("INSERT INTO documents_fts(documents_fts) VALUES('rebuild')")


class Migration(migrations.Migration):
    dependencies = [("documents", "0005_search_agency")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
