"""edXML (QCVN 102:2016): the fixtures written from the field list parse, builder and reader agree,
and malformed or hostile messages are refused naming the element."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import pytest

from egov.exchange import edxml
from egov.exchange.edxml import BusinessDocType, EdxmlError, StatusCode

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edxml"
PAPER_PDF = (FIXTURES.parent / "dossiers" / "paper.pdf").read_bytes()
MALFORMED = {"bad_namespace.xml": "edXML", "missing_from.xml": "From", "bad_base64.xml": "ContentTransferEncoded",
             "entity_bomb.xml": "DOCTYPE", "external_entity.xml": "DOCTYPE"}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_every_fixture_is_read_or_refused_naming_its_element():
    names = sorted(p.name for p in FIXTURES.glob("*.xml"))
    assert len(names) == 17
    for name in names:
        if name in MALFORMED:
            with pytest.raises(EdxmlError) as refused:
                edxml.parse(fixture(name))
            assert refused.value.element == MALFORMED[name], name
            assert refused.value.status == 422 and refused.value.details == {"element": MALFORMED[name]}
        else:
            assert edxml.parse(fixture(name)) is not None


def test_new_document_fixture_reads_every_header_field_and_the_pdf_bytes():
    message = edxml.parse(fixture("new_document.xml"))
    header = message.header
    assert header.from_.organ_id == "000.00.01.H57"
    assert header.from_.organ_name == "Văn phòng UBND tỉnh Thừa Thiên Huế"
    assert header.from_.organization_in_charge == "Ủy ban nhân dân tỉnh Thừa Thiên Huế"
    assert (header.from_.telephone, header.from_.fax, header.from_.website) == (
        "0234 3822 123", "0234 3822 124", "https://example.gov.vn")
    assert [to.organ_id for to in header.to] == ["000.00.12.H57"]
    assert str(header.code) == "1052/UBND-VP"
    assert (header.place, header.promulgation_date) == ("Huế", dt.date(2026, 3, 2))
    assert (header.type, header.type_name) == (1, "Công văn")
    assert header.subject == "Về việc triển khai kế hoạch cải cách hành chính năm 2026"
    assert (header.signer.competence, header.signer.position, header.signer.full_name) == (
        "KT. CHỦ TỊCH", "Phó Chủ tịch", "Nguyễn Văn An")
    assert header.due_date == dt.date(2026, 3, 16)
    assert header.to_places == ["Sở Nội vụ", "Lưu: VT"]
    assert header.other_info == edxml.OtherInfo(priority=1, sphere_of_promulgation="Trong tỉnh", typer_notation="NVA",
                                                promulgation_amount=5, page_amount=1, appendixes=["Phụ lục I"])
    assert str(header.document_id) == "000.00.01.H57,2026/03/02,1052/UBND-VP"
    assert message.traces == [edxml.TraceHeader("000.00.01.H57", dt.datetime(2026, 3, 2, 9, 15))]
    assert message.business.doc_type == BusinessDocType.NEW
    assert message.business.staff_info.staff == "Trần Thị Bình"
    [attachment] = message.attachments
    assert (attachment.name, attachment.content_type, attachment.content_id) == (
        "1052-UBND-VP.pdf", "application/pdf", "cid:1")
    assert attachment.data == PAPER_PDF
    assert not message.signed


def test_recall_and_update_fixtures_say_what_they_do():
    recall = edxml.parse(fixture("recall.xml"))
    assert recall.business.doc_type == BusinessDocType.RECALL
    assert recall.business.reason == "Thu hồi do sai sót thể thức"
    assert recall.attachments == []
    # Default namespace, no prefix, and another vendor's element in the header: read all the same.
    update = edxml.parse(fixture("update.xml"))
    assert update.business.doc_type == BusinessDocType.UPDATE
    assert update.business.replacements == [
        edxml.ReplacementInfo("000.00.01.H57,2026/03/02,1052/UBND-VP", ["000.00.12.H57"])]
    assert update.attachments[0].data == PAPER_PDF


@pytest.mark.parametrize("code", [c.value for c in StatusCode])
def test_each_status_fixture_reads_its_national_code(code):
    status = edxml.parse(fixture(f"status_{code}.xml"))
    assert isinstance(status, edxml.StatusMessage)
    assert status.status_code == StatusCode(code)
    assert status.description == status.status_code.label
    assert status.response_for.document_id == "000.00.01.H57,2026/03/02,1052/UBND-VP"
    assert status.from_.organ_id == "000.00.12.H57"
    assert status.timestamp == dt.datetime(2026, 3, 2, 10, 30)
    assert status.staff_info.staff == "Lê Văn Cường"


def test_status_labels_are_the_national_ones():
    assert [(c.value, c.label) for c in StatusCode] == [
        ("01", "Đã đến"), ("02", "Từ chối tiếp nhận"), ("03", "Đã tiếp nhận"), ("04", "Phân công"),
        ("05", "Đang xử lý"), ("06", "Hoàn thành"), ("13", "Thu hồi"), ("15", "Đồng ý thu hồi/cập nhật"),
        ("16", "Từ chối thu hồi/cập nhật")]


def test_entity_bomb_is_refused_without_expanding():
    with pytest.raises(EdxmlError) as refused:
        edxml.parse(fixture("entity_bomb.xml"))
    assert "DOCTYPE" in refused.value.message
    assert "aaaaaaaaaa" not in refused.value.message


def test_external_entity_is_refused_and_the_file_is_not_read():
    with pytest.raises(EdxmlError) as refused:
        edxml.parse(fixture("external_entity.xml"))
    assert "root:" not in refused.value.message
    # The parser itself never loads the entity, whatever is done with the tree afterwards.
    from lxml import etree
    tree = etree.fromstring(fixture("external_entity.xml"), edxml.safe_parser())
    assert b"root:" not in etree.tostring(tree)


def test_messages_in_another_namespace_or_broken_are_refused_in_vietnamese():
    with pytest.raises(EdxmlError, match="không gian tên"):
        edxml.parse(fixture("bad_namespace.xml"))
    with pytest.raises(EdxmlError, match="thiếu phần tử MessageHeader/From"):
        edxml.parse(fixture("missing_from.xml"))
    with pytest.raises(EdxmlError, match="không phải là XML hợp lệ"):
        edxml.parse(b"<edXML xmlns='" + edxml.NS.encode() + b"'><unclosed></edXML>")
    with pytest.raises(EdxmlError, match="base64") as refused:
        edxml.parse(fixture("bad_base64.xml"))
    assert refused.value.element == "ContentTransferEncoded"


def test_a_message_over_the_size_limit_is_refused_before_parsing(settings):
    settings.EDXML_MAX_BYTES = 1024
    with pytest.raises(edxml.EdxmlTooLarge) as refused:
        edxml.parse(fixture("new_document.xml"))
    assert refused.value.status == 413


def _with_attachment(name: str, content_type: str, data: bytes) -> bytes:
    text = fixture("new_document.xml").decode()
    text = text.replace("<edXML:AttachmentName>1052-UBND-VP.pdf</edXML:AttachmentName>\n    </edXML:Attachment>",
                        f"<edXML:AttachmentName>{name}</edXML:AttachmentName>\n    </edXML:Attachment>")
    start = text.index("<edXML:ContentTransferEncoded>") + len("<edXML:ContentTransferEncoded>")
    end = text.index("</edXML:ContentTransferEncoded>")
    text = text[:start] + base64.b64encode(data).decode() + text[end:]
    text = text.replace("<edXML:ContentType>application/pdf</edXML:ContentType>\n      <edXML:ContentId>",
                        f"<edXML:ContentType>{content_type}</edXML:ContentType>\n      <edXML:ContentId>")
    return text.encode()


def test_attachments_must_be_what_their_name_and_type_say():
    png = (FIXTURES.parent / "dossiers" / "id_card.png").read_bytes()
    assert edxml.parse(_with_attachment("the.png", "image/png", png)).attachments[0].data == png
    with pytest.raises(EdxmlError, match="kiểu application/pdf nhưng nội dung là image/png") as refused:
        edxml.parse(_with_attachment("the.png", "application/pdf", png))
    assert refused.value.element == "ContentType"
    with pytest.raises(EdxmlError, match=r"không khớp với phần mở rộng \.pdf"):
        edxml.parse(_with_attachment("scan.pdf", "image/png", png))
    with pytest.raises(EdxmlError, match="không phải là tệp PDF") as refused:
        edxml.parse(_with_attachment("page.html", "text/html", b"<html><script>alert(1)</script></html>"))
    assert refused.value.element == "Attachment"


def test_built_message_reads_back_the_same():
    message = edxml.DocumentMessage(
        header=edxml.MessageHeader(
            from_=edxml.Organization("000.00.01.H57", organ_name="UBND tỉnh", email="a@example.gov.vn"),
            to=[edxml.Organization("000.00.12.H57", organ_name="Sở Nội vụ")],
            code=edxml.Code("1052", "UBND-VP"), promulgation_date=dt.date(2026, 3, 2), place="Huế",
            subject="Về việc <thử> & “kiểm tra”", type_name="Công văn", due_date=dt.date(2026, 3, 9),
            signer=edxml.SignerInfo("TM. UBND", "Chủ tịch", "Nguyễn Văn An"), to_places=["Như trên"],
            other_info=edxml.OtherInfo(priority=3, page_amount=2),
            response_for=[edxml.ResponseFor("000.00.09.H57", "5/SNV", dt.date(2026, 2, 1), "x,2026/02/01,5/SNV")],
            document_id=edxml.DocumentId("000.00.01.H57", dt.date(2026, 3, 2), "1052/UBND-VP")),
        traces=[edxml.TraceHeader("000.00.01.H57", dt.datetime(2026, 3, 2, 8, 0, 5))],
        business=edxml.Business(BusinessDocType.REPLACE, reason="Thay thế",
                                 replacements=[edxml.ReplacementInfo("a,2026/01/01,1/X", ["b", "c"])]),
        attachments=[edxml.Attachment("cid:1", "van-ban.pdf", "application/pdf", PAPER_PDF, "Văn bản")])
    built = edxml.build_document(message)
    assert built.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<edXML:edXML xmlns:edXML=")
    assert edxml.parse(built) == message
    status = edxml.StatusMessage(edxml.ResponseFor("000.00.01.H57", "1052/UBND-VP", dt.date(2026, 3, 2), "d"),
                                 edxml.Organization("000.00.12.H57"), StatusCode.ASSIGNED,
                                 dt.datetime(2026, 3, 3, 14, 0), "Phân công", edxml.StaffInfo(staff="Lê C"))
    assert edxml.parse(edxml.build_status(status)) == status


def test_unknown_status_code_is_refused_naming_the_element():
    text = fixture("status_01.xml").replace(b"<StatusCode>01</StatusCode>", b"<StatusCode>99</StatusCode>")
    with pytest.raises(EdxmlError, match="99") as refused:
        edxml.parse(text)
    assert refused.value.element == "StatusCode"


def test_a_doctype_hidden_by_another_encoding_is_refused_too():
    text = fixture("external_entity.xml").decode().replace('<?xml version="1.0"?>',
                                                           '<?xml version="1.0" encoding="UTF-16"?>')
    with pytest.raises(EdxmlError) as refused:
        edxml.parse(text.encode("utf-16"))
    assert refused.value.element == "DOCTYPE"
