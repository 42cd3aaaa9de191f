"""Inside one egov instance of tests/exchange/test_two_instances.py: run by the instance's own
`egov manage shell -c` (its settings, its database, its data folder), it sets the instance up and
acts as the instance's officials through the document services, the way a clerk's clicks would.

    egov manage shell -c "from tests.exchange.instance import run; run('setup', '{...json...}')"

Each action prints its answer as one line `RESULT <json>`, which the test reads back."""

from __future__ import annotations

import datetime as dt
import json
import time

RESULT = "RESULT "


def run(action: str, arguments: str = "{}") -> None:
    answer = ACTIONS[action](**json.loads(arguments))
    print(RESULT + json.dumps(answer, default=str, ensure_ascii=False), flush=True)


def setup(*, agencies: list[dict]) -> dict:
    """Agencies with the given identifier codes, each with the documents tests' people (a clerk, a
    leader, specialists in two departments); answers the people's usernames by agency code."""
    from django.conf import settings

    # The accounts never sign in here: minimal argon2 cost keeps the set-up to a second.
    settings.PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher", *settings.PASSWORD_HASHERS]
    from egov.org.models import Agency
    from tests.documents.conftest import build_world

    made = {}
    for spec in agencies:
        agency = Agency.objects.create(code=spec["code"], name=spec["name"], short_name=spec["short"])
        world = build_world(agency, short=spec["short"])
        made[agency.code] = {role: getattr(world, role).username
                             for role in ("clerk", "leader", "head", "specialist", "admin")}
    return made


def agencies() -> list[str]:
    from egov.org.models import Agency

    return sorted(Agency.objects.values_list("code", flat=True))


def _user(username: str):
    from egov.org.models import User

    return User.objects.get(username=username)


def issue(*, people: dict, to: list[list[str]], summary: str) -> dict:
    """A's specialist drafts a document to agencies of other systems (`to`: [code, name] pairs), the
    head of department agrees, the leader approves it, the clerk issues it: the outbox takes it."""
    from egov.documents import services
    from egov.exchange.messages import document_id
    from tests.documents.conftest import decision_pdf, doc_type, pdf_upload

    specialist, head, leader, clerk = (_user(people[role]) for role in ("specialist", "head", "leader", "clerk"))
    document = services.create_draft(actor=specialist, doc_type=doc_type("QĐ"), summary=summary, signer=leader,
                                     upload=pdf_upload(), remote_recipients=[tuple(pair) for pair in to])
    services.submit_for_review(actor=specialist, document=document, reviewers=[head])
    services.review_draft(actor=head, document=document, approve=True)
    services.approve_outgoing(actor=leader, document=document,
                              final_pdf=pdf_upload(decision_pdf(number_symbol="", summary=summary)))
    document = services.issue_outgoing(actor=clerk, document=document)
    return {"id": document.pk, "number_symbol": document.number_symbol, "document_id": str(document_id(document))}


def _statuses(document_id: int) -> dict[str, list[str]]:
    from egov.exchange.models import RecipientStatus

    found: dict[str, list[str]] = {}
    for code, status in (RecipientStatus.objects.filter(recipient__document_id=document_id)
                         .order_by("recipient_id", "code").values_list("recipient__external_code", "code")):
        found.setdefault(code, []).append(status)
    return found


def statuses(*, document: int, expect: dict[str, list[str]] | None = None, seconds: float = 0) -> dict:
    """The status codes each remote recipient reported about our document; with `expect`, waited
    for (up to `seconds`) until each recipient reported at least those."""
    deadline = time.monotonic() + seconds
    while True:
        found = _statuses(document)
        if not expect or all(set(codes) <= set(found.get(code, ())) for code, codes in expect.items()):
            return found
        if time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def _received(agency: str) -> list[dict]:
    from egov.documents.models import Document

    return [{"id": d.pk, "number_symbol": d.number_symbol, "status": d.status, "sender": d.issuer_name,
             "channel": d.channel, "files": d.files.count(),
             "key": getattr(getattr(d, "exchange_received", None), "document_key", "")}
            for d in Document.objects.filter(agency__code=agency, direction=Document.Direction.INCOMING).order_by("id")]


def received(*, agency: str, count: int = 0, status: str = "", seconds: float = 0) -> list[dict]:
    """The incoming documents of our agency `agency`; waited for (up to `seconds`) until there are
    `count` of them, and, with `status`, until the last one is in it."""
    deadline = time.monotonic() + seconds
    while True:
        found = _received(agency)
        if len(found) >= count and (not status or (found and found[-1]["status"] == status)):
            return found
        if time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def handle(*, people: dict, document: int) -> dict:
    """B's leader assigns the received document to a specialist (04), who finishes it (06)."""
    from egov.documents import services
    from egov.documents.models import Assignment, Document

    leader, specialist = _user(people["leader"]), _user(people["specialist"])
    incoming = Document.objects.get(pk=document)
    services.assign(actor=leader, document=incoming, instruction="Giao Phòng Kinh tế chủ trì tham mưu.",
                    targets=[services.Target(role=Assignment.Role.LEAD, user=specialist)],
                    deadline=dt.date.today() + dt.timedelta(days=10))
    assignment = incoming.assignments.get(assignee=specialist)
    services.complete_assignment(actor=specialist, assignment=assignment, note="Đã tham mưu, báo cáo lãnh đạo.")
    incoming.refresh_from_db()
    return {"status": incoming.status}


def recall(*, people: dict, document: int, reason: str) -> dict:
    """A's clerk recalls an issued document from its remote recipients."""
    from egov.documents.models import Document
    from egov.exchange import outbox

    message = outbox.recall(actor=_user(people["clerk"]), document=Document.objects.get(pk=document), reason=reason)
    return {"message": message.pk}


def answer_recall(*, people: dict, document: int, agree: bool) -> dict:
    """B's clerk answers the sender's pending recall of a received document (15 or 16)."""
    from egov.exchange import inbound
    from egov.exchange.models import Request

    request = Request.objects.get(received__document_id=document, state=Request.State.PENDING)
    request = inbound.answer_request(actor=_user(people["clerk"]), request=request, agree=agree)
    return {"state": request.state}


def outbox_rows(*, document: int) -> list[dict]:
    from egov.exchange.models import Delivery

    return list(Delivery.objects.filter(message__document_id=document).order_by("id")
                .values("to_code", "state", "attempts", "message__business", "last_error"))


def issue_many(*, people: dict, to: list[list[str]], count: int, pause: float) -> list[dict]:
    """`count` documents issued one after another, `pause` seconds apart (bench/exchange_latency.py)."""
    issued = []
    for n in range(count):
        document = issue(people=people, to=to, summary=f"Về việc đo độ trễ liên thông văn bản, lần {n + 1}")
        issued.append(document)
        time.sleep(pause)
    return issued


def timings(*, documents: list[int], code: str = "01") -> dict[str, dict]:
    """For our documents, by DocumentId: when each was issued, when the worker started the task that
    sent it, and when its recipient's status `code` came back."""
    from django_tasks_db.models import DBTaskResult

    from egov.documents.models import Document
    from egov.exchange.messages import document_id
    from egov.exchange.models import Delivery, RecipientStatus

    back = dict(RecipientStatus.objects.filter(recipient__document_id__in=documents, code=code)
                .values_list("recipient__document_id", "created_at"))
    deliveries = dict(Delivery.objects.filter(message__document_id__in=documents, message__business=0)
                      .values_list("pk", "message__document_id"))
    started: dict[int, dt.datetime] = {}
    for task in DBTaskResult.objects.filter(task_path__endswith=".deliver").exclude(started_at=None):
        document = deliveries.get(task.args_kwargs["kwargs"].get("delivery_id"))
        if document is not None:
            started[document] = min(started.get(document, task.started_at), task.started_at)
    return {str(document_id(d)): {"issued_at": d.issued_at, "sending_at": started.get(d.pk), "status_at": back.get(d.pk)}
            for d in Document.objects.filter(pk__in=documents)}


def arrivals(*, agency: str) -> dict[str, str]:
    """When each document that came by the exchange was registered for `agency`, by DocumentId."""
    from egov.exchange.models import Received

    return dict(Received.objects.filter(document__agency__code=agency).values_list("document_key", "created_at"))


ACTIONS = {name: globals()[name] for name in ("setup", "agencies", "issue", "statuses", "received", "handle",
                                              "recall", "answer_recall", "outbox_rows", "issue_many", "timings",
                                              "arrivals")}
