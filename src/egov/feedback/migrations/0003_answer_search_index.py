"""A text index over published answers' folded text (FeedbackAnswer.search_folded), one per engine.

SQLite: an FTS5 table with external content (the text stays in feedback_feedbackanswer) holding
the published answers, kept in step by triggers, so whatever code writes `search_folded` (approval, moderation) updates it.
PostgreSQL: a generated tsvector column and a GIN index over published answers. The text is
already folded (`core.text.fold`), so the 'simple' configuration is all it needs once anything but
letters and digits is a space (its parser reads "tp.hue" or "12/3" as one token otherwise).
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS feedback_answer_fts USING fts5(search_folded, "
    "content='feedback_feedbackanswer', content_rowid='id', tokenize='unicode61 remove_diacritics 2', "
    "prefix='2 3')",
    # Published answers only: the index then also counts them ("hơn 10.000") without the table.
    "CREATE TRIGGER IF NOT EXISTS feedback_answer_fts_insert AFTER INSERT ON feedback_feedbackanswer "
    "WHEN new.is_published AND new.search_folded != '' BEGIN "
    "INSERT INTO feedback_answer_fts(rowid, search_folded) VALUES (new.id, new.search_folded); END",
    "CREATE TRIGGER IF NOT EXISTS feedback_answer_fts_delete AFTER DELETE ON feedback_feedbackanswer "
    "WHEN old.is_published AND old.search_folded != '' BEGIN "
    "INSERT INTO feedback_answer_fts(feedback_answer_fts, rowid, search_folded) "
    "VALUES ('delete', old.id, old.search_folded); END",
    "CREATE TRIGGER IF NOT EXISTS feedback_answer_fts_update AFTER UPDATE OF search_folded, is_published "
    "ON feedback_feedbackanswer WHEN old.search_folded != new.search_folded "
    "OR old.is_published != new.is_published BEGIN "
    "INSERT INTO feedback_answer_fts(feedback_answer_fts, rowid, search_folded) "
    "SELECT 'delete', old.id, old.search_folded WHERE old.is_published AND old.search_folded != ''; "
    "INSERT INTO feedback_answer_fts(rowid, search_folded) "
    "SELECT new.id, new.search_folded WHERE new.is_published AND new.search_folded != ''; END",
    "INSERT INTO feedback_answer_fts(rowid, search_folded) "
    "SELECT id, search_folded FROM feedback_feedbackanswer WHERE is_published AND search_folded != ''",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS feedback_answer_fts_insert",
    "DROP TRIGGER IF EXISTS feedback_answer_fts_delete",
    "DROP TRIGGER IF EXISTS feedback_answer_fts_update",
    "DROP TABLE IF EXISTS feedback_answer_fts",
]
PG_FORWARD = [
    "ALTER TABLE feedback_feedbackanswer ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, "
    "regexp_replace(search_folded, '[^0-9a-z]+', ' ', 'g'))) STORED",
    "CREATE INDEX IF NOT EXISTS feedback_answer_vector_gin ON feedback_feedbackanswer "
    "USING gin (search_vector) WHERE is_published",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS feedback_answer_vector_gin",
    "ALTER TABLE feedback_feedbackanswer DROP COLUMN IF EXISTS search_vector",
]


def forward(apps, schema_editor):
    for sql in {"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    for sql in {"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0002_answer_reopened")]
    operations = [migrations.RunPython(forward, backward)]
