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


def codes(query):
    return [p.code for p in selectors.search_procedures(query)]


@pytest.mark.parametrize("query", ["khai sinh con", "khaisinh", "KHAISINH", "khai sinh", "Khai Sinh cho con"])
def test_search_ranks_by_the_words_matched_instead_of_needing_all(catalogue, query):
    assert codes(query)[0] == "1.001193"


def test_the_name_with_more_of_the_words_comes_first(catalogue):
    assert codes("đăng ký kết hôn") == ["1.000894", "1.001193"]  # 4 words matched, then 2 ("đăng ký")
    assert codes("dang ky khai sinh") == ["1.001193", "1.000894"]
    assert codes("đăng ký kết hôn lần hai") == ["1.000894"]  # 4 of 6; "đăng ký" alone is not half
    assert codes("hai") == []  # not inside "khai"
    assert codes("1.0008") == ["1.000894"] and codes("000894") == ["1.000894"]
    assert codes("giấy phép xây nhà") == ["1.009794"]


def test_a_whole_word_ranks_above_part_of_a_word(make_procedure):
    make_procedure(code="1.000001", name="Cấp bản sao trích lục cho công dân")
    make_procedure(code="1.000002", name="Cấp bản sao trích lục cho con nuôi")
    assert codes("trich luc con") == ["1.000002", "1.000001"]


def test_a_suggestion_when_nothing_matches(catalogue):
    assert codes("khaisihn") == [] and selectors.suggest_query("khaisihn") == "khai sinh"
    assert codes("keet hno") == [] and selectors.suggest_query("keet hno") == "kết hôn"
    assert selectors.suggest_query("zzzz") == ""


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
