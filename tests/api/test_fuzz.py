"""Property-based fuzzing of the whole API from its own OpenAPI schema (Schemathesis).

A real HTTP server (pytest-django's live server) with the demo data loaded, and an API key of the
province with every scope; Schemathesis's own runner (`st run`) reads /api/v1/openapi.json and
sends, for every operation, the schema's examples, its boundary values (coverage phase) and random
requests (fuzzing phase), valid and invalid. It fails on any 5xx, on a status or a body the schema
does not document, on a schema-invalid request that is accepted, and on a schema-valid request
that is refused: the schema states what the API accepts (patterns, bounds, enums, required).

A valid request may still meet a business rule no JSON schema can state (a procedure the agency
does not handle, a file that is not a PDF, a period whose start is after its end): for the
operations listed in BUSINESS_RULES a 422 is an accepted answer to valid data.

Rate limits are off (EGOV_RATE_TRACKING=0), so the run does not depend on its own speed. The number
of examples per operation is bounded (EGOV_FUZZ_EXAMPLES, default 15): about two minutes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = int(os.environ.get("EGOV_FUZZ_EXAMPLES", "15"))
BUSINESS_RULES = {
    "POST /api/v1/dossiers": "the agency handles the procedure; mandatory papers",
    "POST /api/v1/dossiers/{code}/actions": "what the dossier's current step allows",
    "POST /api/v1/documents/incoming": "a document type code that exists",
    "POST /api/v1/documents/extract": "a readable PDF",
    "POST /api/v1/signatures/verify": "a PDF",
    "POST /api/v1/exchange/edxml": "a well-formed edXML message to an agency of this instance",
    "GET /api/v1/stats/dossiers": "from no later than to",
    "POST /api/v1/feedback": "a phone or email that is one; a field, agency and unit that exist; JPEG/PNG/PDF files",
    "POST /api/v1/feedback/{code}/confirm": "the one-time code sent to the sender",
    "POST /api/v1/feedback/{code}/route": "a field and an agency that exist",
    "POST /api/v1/feedback/{code}/answer": "a text that is not only spaces",
    "POST /api/v1/feedback/{code}/close": "a reason that is not only spaces",
}
ACCEPTED = ["2xx", "401", "403", "404", "409", "429"]
# Half the values of these parameters are the demo's own identifiers, so requests reach past the
# lookup ("not found") into each operation's logic; the other half stay generated.
KNOWN = {
    "GET /api/v1/procedures/{code}": {"path.code": "procedures", "query.agency": "agencies"},
    "GET /api/v1/procedures": {"query.agency": "agencies"},
    "GET /api/v1/calendar/due-date": {"query.agency": "agencies"},
    "GET /api/v1/stats/dossiers": {"query.agency": "agencies", "query.procedure": "procedures"},
    "GET /api/v1/dossiers/{code}": {"path.code": "dossiers"},
    "GET /api/v1/dossiers/track/{code}": {"path.code": "dossiers"},
    "POST /api/v1/dossiers/{code}/actions": {"path.code": "dossiers", "body.agency": "agencies"},
    "POST /api/v1/dossiers": {"body.procedure": "procedures", "body.agency": "agencies"},
    "GET /api/v1/documents/{document_id}": {"path.document_id": "documents"},
    "GET /api/v1/feedback/{code}": {"path.code": "feedback"},
    "GET /api/v1/feedback/track/{code}": {"path.code": "feedback"},
    "POST /api/v1/feedback/{code}/route": {"path.code": "feedback", "body.agency": "agencies"},
    "POST /api/v1/feedback/{code}/answer": {"path.code": "feedback"},
    "POST /api/v1/feedback/{code}/approve": {"path.code": "feedback"},
    "POST /api/v1/feedback/{code}/close": {"path.code": "feedback"},
}


def toml(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def config(key: str, known: dict[str, list]) -> str:
    lines = ["color = false", 'suppress-health-check = ["too_slow", "filter_too_much", "data_too_large"]',
             f"headers = {{ Authorization = {toml('Bearer ' + key)} }}", "workers = 1", "",
             "[generation]", f"max-examples = {EXAMPLES}", 'database = "none"', "",
             "[phases.stateful]", "enabled = false", "",
             "[checks]", f"positive_data_acceptance.expected-statuses = {toml(ACCEPTED)}", ""]
    for name, values in known.items():
        lines += [f"[dictionaries.{name}]", f"values = {toml(values)}", ""]
    for operation in sorted(set(BUSINESS_RULES) | set(KNOWN)):
        lines += ["[[operations]]", f"include-name = {toml(operation)}"]
        if operation in BUSINESS_RULES:
            lines.append(f"checks.positive_data_acceptance.expected-statuses = {toml(ACCEPTED + ['413', '422'])}")
        # A dictionary the demo left empty (no feedback yet) is not bound: the values stay generated.
        bound = ", ".join(f'{toml(param)} = {{ dictionary = "{source}", probability = 0.5 }}'
                          for param, source in KNOWN.get(operation, {}).items() if source in known)
        if bound:
            lines.append(f"parameters = {{ {bound} }}")
        lines.append("")
    return "\n".join(lines)


@pytest.fixture
def demo_server(transactional_db, live_server, settings):
    from egov.api.scopes import SCOPES
    from egov.core.demo import load_all
    from egov.documents.models import Document
    from egov.dossiers.models import Dossier
    from egov.feedback.models import Feedback
    from egov.org.models import Agency
    from egov.procedures.models import Procedure
    from tests.factories import make_api_key

    settings.DEMO_MODE = True
    settings.RATE_TRACKING = None
    load_all(lambda line: None)
    _key, raw = make_api_key(Agency.objects.get(parent=None), *SCOPES, name="Kiểm thử fuzz")
    known = {
        "agencies": list(Agency.objects.order_by("path").values_list("code", flat=True)[:20]),
        "procedures": list(Procedure.objects.order_by("code").values_list("code", flat=True)[:20]),
        "dossiers": list(Dossier.objects.exclude(code=None).order_by("-pk").values_list("code", flat=True)[:20]),
        "documents": list(Document.objects.order_by("-pk").values_list("pk", flat=True)[:20]),
        "feedback": list(Feedback.objects.order_by("-pk").values_list("code", flat=True)[:20]),
    }
    return live_server.url, raw, {name: values for name, values in known.items() if values}


def test_the_api_answers_every_generated_request_as_its_schema_says(demo_server, tmp_path):
    url, key, known = demo_server
    config_file = tmp_path / "schemathesis.toml"
    config_file.write_text(config(key, known))
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [str(st), "--config-file", str(config_file), "run", f"{url}/api/v1/openapi.json",
         "--phases", "examples,coverage,fuzzing", "--seed", os.environ.get("EGOV_FUZZ_SEED", "2026")],
        check=False, capture_output=True, text=True, timeout=900, cwd=tmp_path)
    output = result.stdout + result.stderr
    print(output[-4000:])  # the run's summary, shown with -s or -rP
    assert result.returncode == 0, output[-20000:]
    selected, tested = re.search(r"Selected: (\d+)/(\d+)", output), re.search(r"Tested: (\d+)", output)
    assert selected and tested and int(tested.group(1)) == int(selected.group(2)) > 0, output[-5000:]
