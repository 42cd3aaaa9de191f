"""Applicants tapping "Gửi đánh giá" on two phones at once (PostgreSQL row locks): one rating, and
the other is told the dossier was rated, not a server error."""

import pytest
from django.db import connection

from egov.core.errors import StateError
from egov.dossiers import services, workflow
from egov.feedback import ratings
from egov.feedback.models import ServiceRating
from egov.org.roles import Role
from tests.dossiers.factories import applicant_data, make_procedure, papers_for
from tests.dossiers.test_concurrency import run_parallel
from tests.factories import make_agency, make_official

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency needs PostgreSQL (row locks); run with EGOV_DATABASE_URL=postgres://..."),
]


def test_parallel_ratings_of_one_dossier_keep_one():
    agency = make_agency(name="Bộ phận một cửa thử đánh giá")
    counter, specialist, leader = (make_official(role, agency=agency)
                                   for role in (Role.COUNTER_OFFICER, Role.SPECIALIST, Role.LEADER))
    procedure = make_procedure()
    dossier = services.register_at_counter(officer=counter, procedure=procedure, data=applicant_data(),
                                           uploads=papers_for(procedure))
    workflow.forward(dossier=dossier, officer=counter)
    workflow.forward(dossier=dossier, officer=specialist)
    workflow.approve(dossier=dossier, officer=leader)
    levels = ratings.Level.values

    results = run_parallel(4, lambda i: ratings.rate_dossier(dossier, level=levels[i % len(levels)]).level)
    won = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, StateError)]
    assert len(won) == 1 and len(refused) == 3, results
    assert list(ServiceRating.objects.values_list("level", flat=True)) == won
