"""PostgreSQL: the published answers' tsvector without word positions (`strip`).

Nothing reads the positions (no phrase search, no ranking: the list is newest first), and they
made each vector about twice as large: counting the 10,001 matches of a common word (the public
page's "hơn 10.000") took 160 ms at 100,000 answers, 25-35 ms without them. SQLite: nothing to do.
"""

from django.db import migrations

COLUMN = ("ALTER TABLE feedback_feedbackanswer ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
          "({}(to_tsvector('simple'::regconfig, regexp_replace(search_folded, '[^0-9a-z]+', ' ', 'g'))){}) STORED")
INDEX = ("CREATE INDEX feedback_answer_vector_gin ON feedback_feedbackanswer "
         "USING gin (search_vector) WHERE is_published")
DROP = ["DROP INDEX IF EXISTS feedback_answer_vector_gin",
        "ALTER TABLE feedback_feedbackanswer DROP COLUMN IF EXISTS search_vector"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in [*DROP, COLUMN.format("strip(", ")"), INDEX]:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in [*DROP, COLUMN.format("", ""), INDEX]:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0003_answer_search_index")]
    operations = [migrations.RunPython(forward, backward)]
