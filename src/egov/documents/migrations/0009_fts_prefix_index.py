"""SQLite: rebuild the FTS5 table with prefix indexes of two and three characters.

The last word of a query is matched as a prefix ("chuyen doi so" is "so*"), and without a prefix
index FTS5 merges the lists of every word starting with it ("so", "song", "son" ... : most of a
million documents for "so") on each query, then again to rank: 33 + 69 ms for "chuyển đổi số" on
the benchmark's million documents, 5 + 25 ms with the index. Longer prefixes match few words and
merge cheaply. PostgreSQL is unchanged.
"""

from django.db import migrations

FTS = ("CREATE VIRTUAL TABLE documents_fts USING fts5(body, content='documents_searchtext', "
       "content_rowid='document_id', tokenize='unicode61 remove_diacritics 2'{})")


def rebuild(schema_editor, prefix: str):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP TABLE IF EXISTS documents_fts")
    schema_editor.execute(FTS.format(prefix))
    schema_editor.execute("INSERT INTO documents_fts(documents_fts) VALUES('rebuild')")


def forward(apps, schema_editor):
    rebuild(schema_editor, ", prefix='2 3'")


def backward(apps, schema_editor):
    rebuild(schema_editor, "")


class Migration(migrations.Migration):
    dependencies = [("documents", "0008_search_slice_tokens")]
    operations = [migrations.RunPython(forward, backward)]
