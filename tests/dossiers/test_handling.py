"""Only an agency that handles a procedure (cơ quan thực hiện) receives its dossiers: through the
API, the web form and the counter alike, refused by the service with a Vietnamese 422."""

import pytest
from django.urls import reverse

from egov.core.errors import ValidationError
from egov.dossiers import services
from egov.dossiers.models import Dossier, DossierFile
from egov.procedures.models import AgencyProcedure
from tests.dossiers.factories import applicant_data, papers_for, upload
from tests.factories import PASSWORD, make_api_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def elsewhere(world):
    """The world's procedure, adopted by the other agency only."""
    AgencyProcedure.objects.create(agency=world.other_agency, procedure=world.procedure)
    return world.procedure


def paper_files(procedure):
    ids = list(procedure.papers.values_list("pk", flat=True))
    return {f"paper_{ids[0]}": upload("paper.pdf"), f"paper_{ids[1]}": upload("id_card.png")}


def test_api_refuses_an_agency_that_does_not_handle_the_procedure(client, world, elsewhere, settings):
    client.login(username=world.citizen.username, password=PASSWORD)
    body = {"procedure": elsewhere.code, "agency": world.agency.code, **paper_files(elsewhere)}
    response = client.post("/api/v1/dossiers", body)
    assert response.status_code == 422
    assert response.json()["code"] == "agency_not_handling"
    assert "không tiếp nhận thủ tục" in response.json()["message"]
    assert Dossier.objects.count() == 0 and DossierFile.objects.count() == 0
    assert not [f for f in settings.MEDIA_ROOT.rglob("*") if f.is_file()]
    accepted = client.post("/api/v1/dossiers", {**body, "agency": world.other_agency.code,
                                                **paper_files(elsewhere)})
    assert accepted.status_code == 201, accepted.content
    assert Dossier.objects.get().agency == world.other_agency


def test_api_key_of_a_parent_agency_cannot_file_with_a_child_that_does_not_handle_it(client, world, elsewhere):
    _, raw = make_api_key(world.agency, "dossiers:write")
    response = client.post("/api/v1/dossiers", {"procedure": elsewhere.code, "agency": world.agency.code,
                                                **applicant_data(), **paper_files(elsewhere)},
                           headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 422 and response.json()["code"] == "agency_not_handling"


def test_the_submission_check_costs_no_extra_query(world, elsewhere, django_assert_num_queries):
    from egov.dossiers import selectors

    with django_assert_num_queries(1):
        procedure, agency, _papers = selectors.submission_target(elsewhere.code, world.agency.code)
        assert selectors.handles(agency, procedure) is False
    with django_assert_num_queries(1):
        procedure, agency, _papers = selectors.submission_target(elsewhere.code, world.other_agency.code)
        assert selectors.handles(agency, procedure) is True


def test_web_form_offers_and_accepts_only_the_handling_agencies(client, world, elsewhere):
    client.login(username=world.citizen.username, password=PASSWORD)
    url = reverse("dossier-file", args=[elsewhere.code])
    page = client.get(url).content.decode()
    assert world.other_agency.name in page and world.agency.name not in page
    response = client.post(url, {**applicant_data(world.citizen), "agency": world.agency.pk, "token": "t-1",
                                 "submit": "1", **paper_files(elsewhere)})
    assert response.status_code == 400
    assert Dossier.objects.count() == 0


def test_service_refuses_a_draft_or_submission_with_an_agency_that_does_not_handle_it(world, elsewhere):
    with pytest.raises(ValidationError) as refused:
        services.submit_online(actor=world.citizen, procedure=elsewhere, agency=world.agency,
                               data=applicant_data(world.citizen), uploads=papers_for(elsewhere))
    assert refused.value.code == "agency_not_handling" and world.agency.name in refused.value.message
    with pytest.raises(ValidationError):
        services.save_draft(citizen=world.citizen, procedure=elsewhere, agency=world.agency,
                            data=applicant_data(world.citizen))
    assert Dossier.objects.count() == 0


def test_counter_neither_offers_nor_registers_a_procedure_its_agency_does_not_handle(client, world, elsewhere):
    client.login(username=world.counter.username, password=PASSWORD)
    page = client.get(reverse("dossier-intake")).content.decode()
    assert elsewhere.name not in page
    with pytest.raises(ValidationError) as refused:
        services.register_at_counter(officer=world.counter, procedure=elsewhere, data=applicant_data(),
                                     uploads=papers_for(elsewhere))
    assert refused.value.code == "agency_not_handling"
    assert services.register_at_counter(officer=world.other_counter, procedure=elsewhere, data=applicant_data(),
                                        uploads=papers_for(elsewhere)).code


def test_a_procedure_no_agency_has_adopted_yet_is_received_anywhere(world):
    assert services.submit_online(actor=world.citizen, procedure=world.procedure, agency=world.agency,
                                  data=applicant_data(world.citizen), uploads=papers_for(world.procedure)).pk
