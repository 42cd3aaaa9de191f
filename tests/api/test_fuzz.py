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
    "GET /api/v1/stats/dossiers": "from no later than to",
}
ACCEPTED = ["2xx", "401", "403", "404", "409", "429"]


def config(key: str) -> str:
    operations = "\n".join(
        f'[[operations]]\ninclude-name = "{name}"\n'
        f'checks.positive_data_acceptance.expected-statuses = {ACCEPTED + ["413", "422"]!r}\n'.replace("'", '"')
        for name in BUSINESS_RULES)
    return f'''
color = false
suppress-health-check = ["too_slow", "filter_too_much", "data_too_large"]
headers = {{ Authorization = "Bearer {key}" }}
workers = 1

[generation]
max-examples = {EXAMPLES}
database = "none"

[phases.stateful]
enabled = false

[checks]
positive_data_acceptance.expected-statuses = {ACCEPTED!r}

{operations}
'''.replace("'", '"')


@pytest.fixture
def demo_server(transactional_db, live_server, settings):
    from egov.api.scopes import SCOPES
    from egov.core.demo import load_all
    from egov.org.models import Agency
    from tests.factories import make_api_key

    settings.DEMO_MODE = True
    settings.RATE_TRACKING = None
    load_all(lambda line: None)
    _key, raw = make_api_key(Agency.objects.get(parent=None), *SCOPES, name="Kiểm thử fuzz")
    return live_server.url, raw


def test_the_api_answers_every_generated_request_as_its_schema_says(demo_server, tmp_path):
    url, key = demo_server
    config_file = tmp_path / "schemathesis.toml"
    config_file.write_text(config(key))
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [str(st), "--config-file", str(config_file), "run", f"{url}/api/v1/openapi.json",
         "--phases", "examples,coverage,fuzzing", "--seed", os.environ.get("EGOV_FUZZ_SEED", "2026")],
        check=False, capture_output=True, text=True, timeout=900, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-20000:]
    selected, tested = re.search(r"Selected: (\d+)/(\d+)", output), re.search(r"Tested: (\d+)", output)
    assert selected and tested and int(tested.group(1)) == int(selected.group(2)) > 0, output[-5000:]
