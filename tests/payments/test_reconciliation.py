"""The daily reconciliation (đối soát): each paid payment beside the notification that confirmed
it, notifications that changed nothing, pending payments past their time, and the discrepancies
flagged; the page and the Excel workbook read back."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from egov.org.roles import Role
from egov.payments import reconciliation, services, vnpay
from egov.payments.models import Payment
from tests.factories import make_agency, make_official
from tests.payments.factories import gateway_answer, make_payable_dossier

pytestmark = pytest.mark.django_db


def open_online(dossier):
    payment, _ = services.create_online_payment(dossier.applicant, dossier, client_ip="203.113.1.2",
                                                return_url="http://testserver/thanh-toan/ket-qua/")
    return payment


@pytest.fixture
def day():
    """A day's traffic at one agency: paid online (then the gateway replays it), paid at the
    counter, a tampered amount, a forged signature, a payment left pending past its time."""
    agency = make_agency(name="UBND phường Đối Soát")
    paid = open_online(make_payable_dossier(agency=agency))
    # Paid today whatever the day the tests run (the gateway's time is the payment's time).
    now = vnpay.vn_time(timezone.now())
    assert services.handle_ipn(gateway_answer(paid, pay_date=now))[0] == "00"
    assert services.handle_ipn(gateway_answer(paid, pay_date=now))[0] == "02"
    counter = make_official(Role.COUNTER_OFFICER, agency=agency)
    cash = services.record_counter_payment(counter, make_payable_dossier(agency=agency), method="cash")
    tampered = open_online(make_payable_dossier(agency=agency))
    assert services.handle_ipn(gateway_answer(tampered, amount=1_000))[0] == "04"
    assert services.handle_ipn(gateway_answer(tampered, secret="not-the-secret"))[0] == "97"
    Payment.objects.filter(pk=tampered.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    return {"agency": agency, "paid": paid, "cash": cash, "tampered": tampered,
            "leader": make_official(Role.LEADER, agency=agency)}


def test_the_report_pairs_payments_with_notifications_and_flags_discrepancies(day):
    today = timezone.localdate()
    report = reconciliation.build(day["leader"], start=today, end=today, agency=day["agency"])
    assert sorted((row.payment.pk, row.ipn is not None, row.problem) for row in report.paid) == [
        (day["paid"].pk, True, ""), (day["cash"].pk, False, "")]
    assert report.total_paid == 36_000 and report.total_online == report.total_counter == 18_000
    outcomes = [(row.notice.response_code, row.outcome, bool(row.problem)) for row in report.notices]
    assert ("00", "Xác nhận đã thanh toán", False) in outcomes
    assert ("02", "Trùng lặp (đã xác nhận trước đó)", False) in outcomes
    assert ("04", "Số tiền không khớp", True) in outcomes
    assert [p.pk for p in report.overdue] == [day["tampered"].pk]
    # The forged notification names no payment it could be trusted about: the leader does not see it,
    # the amount mismatch and the overdue payment are the agency's discrepancies.
    assert report.discrepancies == 2
    admin = make_official(Role.SYSTEM_ADMIN, agency=day["agency"])
    everything = reconciliation.build(admin, start=today, end=today)
    assert ("97", "Sai chữ ký", True) in [(r.notice.response_code, r.outcome, bool(r.problem)) for r in everything.notices]


def test_another_day_or_another_agency_is_empty(day):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert not reconciliation.build(day["leader"], start=yesterday, end=yesterday, agency=day["agency"]).paid
    other = make_official(Role.LEADER, agency=make_agency(name="UBND xã Không Liên Quan"))
    today = timezone.localdate()
    report = reconciliation.build(other, start=today, end=today)
    assert not report.paid and not report.notices and not report.overdue


def test_the_page_shows_the_day_and_the_excel_reads_back(client, day):
    client.force_login(day["leader"])
    page = client.get(reverse("payment-reconciliation")).content.decode()
    assert "36.000 đ" in page and "Số tiền không khớp" in page and day["tampered"].txn_ref in page
    today = timezone.localdate()
    response = client.get(reverse("payment-reconciliation"), {"ngay": today.isoformat(), "xuat": "excel"})
    assert response.status_code == 200
    assert (f'filename="doi-soat-{day["agency"].code}-{today:%Y-%m-%d}.xlsx"'
            in response["Content-Disposition"])
    book = load_workbook(io.BytesIO(response.content))
    payments = book["Thanh toán"]
    rows = list(payments.iter_rows(values_only=True))
    assert rows[0][:7] == ("Thời điểm thanh toán", "Số biên lai", "Mã giao dịch", "Hồ sơ", "Hình thức",
                           "Trạng thái", "Số tiền (đồng)")
    assert {row[2] for row in rows[1:3]} == {day["paid"].txn_ref, day["cash"].txn_ref}
    assert all(isinstance(row[6], int) for row in rows[1:3])
    total = next(row for row in rows if row[0] == "Tổng cộng đã thu")
    assert total[6] == 36_000
    assert payments.cell(row=2, column=7).number_format.startswith("#,##0")
    notices = book["Thông báo của cổng"]
    flagged = [row for row in notices.iter_rows(min_row=2) if row[7].value]
    assert [row[7].value for row in flagged] == ["Số tiền không khớp"]
    assert flagged[0][0].fill.fgColor.rgb.endswith("F8CBAD")
    assert [row[2] for row in book["Quá hạn chưa xử lý"].iter_rows(min_row=2, values_only=True)] == [
        day["tampered"].txn_ref]


@pytest.mark.parametrize("query", [{"tu_ngay": "2026-13-45"}, {"tu_ngay": "2020-01-01", "den_ngay": "2026-12-31"},
                                   {"co_quan": "abc"}, {"co_quan": "99999999999999999999"}, {"ngay": "x" * 500}])
def test_odd_dates_and_agencies_never_fail(client, day, query):
    client.force_login(day["leader"])
    assert client.get(reverse("payment-reconciliation"), query).status_code == 200


@pytest.mark.parametrize(("role", "status"), [(Role.LEADER, 200), (Role.AGENCY_ADMIN, 200),
                                              (Role.COUNTER_OFFICER, 403), (Role.SPECIALIST, 403)])
def test_who_reconciles(client, day, role, status):
    client.force_login(make_official(role, agency=day["agency"]))
    assert client.get(reverse("payment-reconciliation")).status_code == status
