import pytest

from egov.procedures import selectors, services


@pytest.fixture
def catalogue(make_procedure, agency):
    birth = make_procedure()
    marriage = make_procedure(code="1.000894", name="Đăng ký kết hôn", online_level=3, online_service="partial")
    permit = make_procedure(code="1.009794", name="Cấp giấy phép xây dựng nhà ở riêng lẻ",
                            field=services.get_or_create_field("XD", "Xây dựng"), levels=["province", "commune"],
                            online_level=2, online_service="none", steps=None)
    services.adopt_procedure(actor=None, agency=agency, procedure=marriage)
    return birth, marriage, permit


@pytest.mark.parametrize("query", ["kết hôn", "ket hon", "KET HÔN", "  Kết   hôn ", "1.000894", "hon ket"])
def test_search_ignores_diacritics_case_and_word_order(catalogue, query):
    assert [p.code for p in selectors.search_procedures(query)] == ["1.000894"]


def test_search_needs_every_word(catalogue):
    assert list(selectors.search_procedures("đăng ký xây dựng")) == []
    assert len(selectors.search_procedures("dang ky")) == 2


def test_filters(catalogue, agency):
    birth, marriage, permit = catalogue
    assert list(selectors.search_procedures(field="XD")) == [permit]
    assert list(selectors.search_procedures(field="khong-co")) == []
    assert list(selectors.search_procedures(agency=agency)) == [marriage]
    assert list(selectors.search_procedures(agency=agency.code)) == [marriage]
    assert list(selectors.search_procedures(level="province")) == [permit]
    assert set(selectors.search_procedures(level="commune")) == {birth, marriage, permit}
    assert set(selectors.search_procedures(online=True)) == {birth, marriage}
    assert list(selectors.search_procedures(online="0")) == [permit]
    assert list(selectors.search_procedures(online="full")) == [birth]


def test_inactive_procedures_are_hidden(catalogue):
    birth = catalogue[0]
    services.update_procedure(actor=None, procedure=birth, data={"is_active": False})
    assert selectors.procedure_by_code(birth.code) is None
    assert birth not in selectors.search_procedures("")


def test_process_for_falls_back_to_the_default(catalogue, agency):
    _birth, marriage, permit = catalogue
    assert selectors.process_for(marriage, agency).agency is None
    assert selectors.process_for(permit, agency) is None
