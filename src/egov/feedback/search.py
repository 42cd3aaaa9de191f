"""Search of published answers (tra cứu trả lời phản ánh công khai): one service, both databases.

Each answer carries `search_folded`: its public subject and public text folded by `core.text.fold`
(no diacritics, lower case), written when the answer is approved (`services.approve_answer`) and
again when a moderator changes what it shows (`moderation`); `folded_for` gives it words only, and
a text folded with its punctuation kept is found the same way. The query is folded the same way, so "duong hu hong" and "đường
hư hỏng" find the same answers. Every word must match whole, the last one also as the start of
a word (it may be half typed).

The text index (migrations 0003, 0004) is SQLite FTS5 over that column, kept in step by triggers,
or on PostgreSQL a generated tsvector column (words without positions) with a GIN index over
published answers. Why the list
with search stays under 100 ms at 100,000 published answers (bench/feedback_published.py,
docs/benchmarks.md):
- the list is read newest first along the partial index `feedback_answer_published`
  (published_at DESC, id DESC WHERE is_published), each row tested against the text index's
  matches: a common word fills its page within a few dozen rows;
- a rare word (at most FEW matches) is a short list of ids from the text index, read and sorted;
- counts stop at COUNT_CAP + 1 ("hơn 10.000": `core.views.CappedPaginator`, `count_capped`).
A LIKE over the folded text walked every row for a rare word: 100-150 ms on SQLite, 250-350 ms
on PostgreSQL at 100,000 answers. The documents' machinery (slices, ranking windows) answers a
million documents ranked by relevance; answers are listed newest first and are far fewer.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import QuerySet

from egov.core.text import fold, search_terms

COUNT_CAP = 10_000
# A search with at most this many matches reads them from the text index (see `matching`).
FEW = 1000
# A word of the query: letters and digits; FTS syntax characters ("*", quotes, "&") are dropped.
_WORD = re.compile(r"[0-9a-z]+")
# Punctuation a folded text may hold around its words (`core.text.fold` keeps it).
_MARKS = (",", ".", ";", ":", "!", "?", "(", ")", '"', "/", "-")
# Enough for the words a person types; the column holds the whole public text.
_SUBJECT_MAX = 255


def folded_for(answer) -> str:
    """What `answer` is found by: its public subject (or the feedback's subject) and public text,
    folded. The publishing service (`services.approve_answer`, moderation) stores it in
    `answer.search_folded` whenever `public_subject` or `public_text` changes."""
    subject = answer.public_subject or (answer.feedback.subject if answer.feedback_id else "")
    # Words only, single spaces: both engines then see the same tokens (PostgreSQL's parser
    # would read "tp.hue" or "12/3" as one token that the words of a query never match).
    return " ".join(_WORD.findall(fold(f"{subject[:_SUBJECT_MAX]} {answer.public_text or ''}")))


def _resolve(model, value, *, by: str = "code"):
    """A model instance, its primary key or its code → the primary key (None when unknown)."""
    if value is None or value == "":
        return None
    if isinstance(value, model):
        return value.pk
    if isinstance(value, int):
        return value
    return model.objects.filter(**{by: str(value)}).values_list("pk", flat=True).first() or 0


class PublishedAnswers(QuerySet):
    """Published answers; `count()` of an unfiltered list or a search reads the text index alone.

    A page counts through `CappedPaginator` (`qs.order_by()[:cap + 1].count()`): counted by the
    ORM, the 10,001 matches of a common word were 10,001 rows of the table and their feedback
    (80-200 ms); the index counts them in a few milliseconds.
    """

    words: tuple[str, ...] = ()
    narrowed = False

    def _clone(self):
        clone = super()._clone()
        clone.words, clone.narrowed = self.words, self.narrowed
        return clone

    def count(self):
        if self.narrowed or self._result_cache is not None or connection.vendor not in ("sqlite", "postgresql"):
            return super().count()
        limit = self.query.high_mark
        return index_count(self.words, limit=None if limit is None else limit - self.query.low_mark)


def published(q: str = "", *, field=None, unit=None):
    """Published answers (newest first) matching every word of `q`, with or without diacritics,
    of feedback in `field` (FeedbackField, id or code) and `unit` (AdministrativeUnit, id or code).

    An answer is listed while `is_published`; hiding a feedback or making it private unpublishes
    its answer (moderation), and the list also leaves out such feedback should one slip through.
    """
    from egov.feedback.models import FeedbackAnswer, FeedbackField
    from egov.org.models import AdministrativeUnit

    answers = PublishedAnswers(FeedbackAnswer).filter(is_published=True)
    field_id = _resolve(FeedbackField, field)
    unit_id = _resolve(AdministrativeUnit, unit)
    if field_id is not None:
        answers = answers.filter(feedback__field_id=field_id)
    if unit_id is not None:
        answers = answers.filter(feedback__unit_id=unit_id)
    words = tuple(w for term in search_terms(q) for w in _WORD.findall(term))
    if words:
        answers = matching(answers, words)
    answers = (answers.filter(feedback__is_hidden=False, feedback__is_private=False)
               .select_related("feedback", "feedback__field", "feedback__unit", "agency")
               .order_by("-published_at", "-id"))
    answers.words, answers.narrowed = words, field_id is not None or unit_id is not None
    return answers


def matching(answers, words: tuple[str, ...]):
    """`answers` narrowed to those whose folded text holds every word (the last one as a prefix).

    Few matches (at most FEW): the text index lists them and only they are read and sorted.
    More: the newest-first walk tests each row's folded text (words separated by single spaces,
    so " word " is a whole word) and stops when the page is full, reading a few rows per match
    shown; asking the text index would hand over every match of a common word first.
    """
    table = "feedback_feedbackanswer"
    if connection.vendor not in ("sqlite", "postgresql"):  # any other engine: correct, not fast
        for word in words:
            answers = answers.filter(search_folded__contains=word)
        return answers
    few = index_ids(words, limit=FEW + 1)
    if len(few) <= FEW:
        # The ids themselves, not a subquery: PostgreSQL would guess how many a word matches and
        # could walk the whole list for a word that matches nothing.
        return answers.filter(pk__in=few)
    if connection.vendor == "postgresql":
        # The operator's function, not `@@`: PostgreSQL then cannot read the GIN index and
        # guesses a third of the rows match, so it walks newest first and stops at the page. With
        # `@@` it multiplied the words' shares ("cống thoát nước bị tắc": 115 rows expected, 6,719
        # found), read every match from the GIN index and sorted them: 210 ms, not 20.
        return answers.extra(where=[f'ts_match_vq("{table}"."search_vector", to_tsquery(\'simple\', %s))'],
                             params=[_ts_query(words)])
    column = f'"{table}"."search_folded"'
    text = column
    for mark in _MARKS:  # the folded text may keep punctuation ("duong, pho"): words end there too
        text = f"REPLACE({text}, '{mark}', ' ')"
    # The plain substring test first: it is cheap and turns most rows away before the word test
    # copies the text a dozen times (AND stops at the first false).
    where, params = [], []
    for i, word in enumerate(words):
        whole = f"% {word}%" if i == len(words) - 1 else f"% {word} %"
        where.append(f"({column} LIKE %s AND (' ' || {text} || ' ') LIKE %s)")
        params += [f"%{word}%", whole]
    return answers.extra(where=where, params=params)


def _fts_query(words) -> str:
    return " AND ".join([f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*'])


def _ts_query(words) -> str:
    return " & ".join([*words[:-1], f"{words[-1]}:*"])


def _index_sql(words: tuple[str, ...], limit: int | None) -> tuple[str, list]:
    table = "feedback_feedbackanswer"
    cap = f" LIMIT {int(limit)}" if limit is not None else ""
    if not words:
        # Along the partial index: it holds the published answers and nothing else.
        return (f'SELECT "id" FROM "{table}" WHERE "is_published" ORDER BY "published_at" DESC, "id" DESC{cap}', [])
    if connection.vendor == "sqlite":
        return f"SELECT rowid FROM feedback_answer_fts WHERE feedback_answer_fts MATCH %s{cap}", [_fts_query(words)]
    return (f'SELECT "id" FROM "{table}" WHERE "is_published" AND '
            f"\"search_vector\" @@ to_tsquery('simple', %s){cap}", [_ts_query(words)])


def index_ids(words: tuple[str, ...], *, limit: int) -> list[int]:
    """Ids of published answers holding `words`, at most `limit`, in no particular order."""
    sql, params = _index_sql(words, limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def index_count(words: tuple[str, ...], *, limit: int | None) -> int:
    """How many published answers hold `words` (all published ones when none), up to `limit`."""
    sql, params = _index_sql(words, limit)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS matches", params)
        return cursor.fetchone()[0]


def count_capped(queryset, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, capped): the number of rows, counting at most `cap` + 1 of them."""
    count = queryset.order_by()[: cap + 1].count()
    return min(count, cap), count > cap
