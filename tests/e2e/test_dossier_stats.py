"""The counter officer's statistics page and overdue list in a browser, on a phone and a desktop:
every statistics bucket is shown with its label, and the overdue list agrees with the overdue count."""

import pytest

from egov.dossiers.models import BUCKETS, Dossier, overdue_filter
from tests.e2e.conftest import horizontal_overflow


@pytest.mark.parametrize("page", ["phone", "desktop"], indirect=True)
def test_statistics_and_the_overdue_list_agree(page, demo_world, login, shot):
    login(page, demo_world.accounts["motcua"], demo_world.password)
    page.goto("/ho-so/thong-ke/")
    table = page.locator("main table")
    for bucket in BUCKETS:
        assert table.get_by_text(bucket.label, exact=True).count() == 1, bucket.label
    overdue_row = table.locator("tr", has=page.get_by_text("Đang giải quyết, quá hạn", exact=True))
    shown = int(overdue_row.locator("td").last.inner_text().replace(".", ""))
    assert horizontal_overflow(page) <= 0
    assert page.locator("main .table-wrap").evaluate("e => e.scrollWidth - e.clientWidth") <= 0  # no sideways scroll
    shot(page, "stats")

    page.goto("/ho-so/?qua-han=1")
    codes = page.locator("main tbody tr")
    expected = Dossier.objects.filter(overdue_filter(), agency__code="000.00.12.H57").count()
    assert codes.count() == expected and shown == expected > 0
    assert page.locator('[data-testid="overdue"]').count() == expected
    assert horizontal_overflow(page) <= 0
