"""A citizen's or business's own pages: filing from the menu, the profile, the password, the SMS sent to them."""

import pytest
from django.urls import reverse

from egov.core.audit import history_of
from egov.dossiers import services
from egov.notify.services import send_sms
from egov.org.models import User
from tests.dossiers.factories import papers_for, upload
from tests.factories import PASSWORD, make_citizen

pytestmark = pytest.mark.django_db


@pytest.fixture
def business(db):
    user = make_citizen(full_name="Trần Văn Minh", kind=User.Kind.BUSINESS)
    user.organization_name = "Công ty TNHH Sông Hương Xanh"
    user.save(update_fields=["organization_name"])
    return user


def signed_in(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def test_a_business_finds_nop_ho_so_and_files(client, world, business):
    signed_in(client, business)
    home = client.get("/").content.decode()
    assert 'href="/ho-so/nop/"' in home and "Nộp hồ sơ trực tuyến" in home
    mine = client.get(reverse("dossier-mine")).content.decode()
    assert 'data-menu="dossier-start"' in mine and 'data-testid="file-new"' in mine
    start = client.get(reverse("dossier-start"))
    assert start.status_code == 302 and start["Location"] == "/thu-tuc/?online=1"
    catalogue = client.get(start["Location"]).content.decode()
    assert world.procedure.name in catalogue
    detail = client.get(reverse("procedure-detail", args=[world.procedure.code])).content.decode()
    file_url = reverse("dossier-file", args=[world.procedure.code])
    assert f'href="{file_url}"' in detail
    form = client.get(file_url)
    assert form.status_code == 200 and 'value="Công ty TNHH Sông Hương Xanh"' in form.content.decode()
    papers = list(world.procedure.papers.all())
    sent = client.post(file_url, {"applicant_name": "Công ty TNHH Sông Hương Xanh", "agency": world.agency.pk,
                                  "applicant_id_number": business.identity_number, "token": "b-1", "submit": "1",
                                  f"paper_{papers[0].pk}": upload("paper.pdf"),
                                  f"paper_{papers[1].pk}": upload("id_card.png")})
    assert sent.status_code == 302
    page = client.get(reverse("dossier-mine")).content.decode()
    assert "Chờ tiếp nhận" in page and world.procedure.name in page


def test_officials_have_no_citizen_pages(client, world):
    signed_in(client, world.counter)
    for name in ("dossier-start", "account-profile", "my-notifications"):
        assert client.get(reverse(name)).status_code == 403


def test_the_profile_shows_the_account_and_changes_the_contact_details(client, world, business):
    signed_in(client, business)
    page = client.get(reverse("account-profile")).content.decode()
    assert "Doanh nghiệp" in page and "Mã số thuế" in page and business.identity_number in page
    assert "Người đại diện" in page and "Trần Văn Minh" in page
    assert f'href="{reverse("password-change")}"' in page and f'href="{reverse("notification-list")}"' in page
    assert f'href="{reverse("notification-preferences")}"' in page
    saved = client.post(reverse("account-profile"), {"phone": "0905 111 222", "address": "45 Nguyễn Huệ, Huế",
                                                      "organization_name": "Công ty TNHH Sông Hương"})
    assert saved.status_code == 302
    business.refresh_from_db()
    assert (business.phone, business.address, business.organization_name) == (
        "0905111222", "45 Nguyễn Huệ, Huế", "Công ty TNHH Sông Hương")
    assert "Đã cập nhật thông tin tài khoản." in client.get(saved["Location"]).content.decode()
    assert [e.action for e in history_of(business)][-1] == "account.profile_updated"
    taken = client.post(reverse("account-profile"), {"phone": world.citizen.phone, "address": ""})
    assert taken.status_code == 400 and "đã được dùng cho tài khoản khác" in taken.content.decode()
    bad = client.post(reverse("account-profile"), {"phone": "12345", "address": ""})
    assert bad.status_code == 400 and "Số điện thoại không hợp lệ" in bad.content.decode()
    business.refresh_from_db()
    assert business.phone == "0905111222"


def test_a_citizen_changes_the_password_from_the_profile(client, world):
    signed_in(client, world.citizen)
    changed = client.post(reverse("password-change"), {"old_password": PASSWORD, "password1": "Hue-song-Huong-2026",
                                                       "password2": "Hue-song-Huong-2026"})
    assert changed.status_code == 302 and changed["Location"] == reverse("account-profile")
    client.logout()
    assert not client.login(username=world.citizen.username, password=PASSWORD)
    assert client.login(username=world.citizen.username, password="Hue-song-Huong-2026")


def test_notifications_list_the_sms_about_my_dossiers_only(client, world, django_capture_on_commit_callbacks):
    dossier = world.submitted()
    with django_capture_on_commit_callbacks(execute=True):
        services.accept(dossier=dossier, officer=world.counter)
    # Someone else wrote this citizen's phone in their own dossier: not the citizen's notification.
    other = make_citizen(full_name="Người Khác")
    theirs = services.submit_online(actor=other, procedure=world.procedure, agency=world.agency,
                                    data={"applicant_name": "Người Khác", "applicant_phone": world.citizen.phone},
                                    uploads=papers_for(world.procedure))
    send_sms(world.citizen.phone, f"Ho so {theirs.code} cua nguoi khac", agency_id=world.agency.pk,
             dossier_id=theirs.pk)
    page = signed_in(client, world.citizen).get(reverse("my-notifications")).content.decode()
    assert f"Ho so {dossier.code} da duoc tiep nhan" in page
    assert reverse("dossier-mine-detail", args=[dossier.pk]) in page
    assert "cua nguoi khac" not in page
    assert 'data-menu="notification-list"' in page  # the menu's "Thông báo", whose SMS tab this is


def test_no_notifications_yet(client, business):
    page = signed_in(client, business).get(reverse("my-notifications")).content.decode()
    assert "Chưa có thông báo nào." in page
