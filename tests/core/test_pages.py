from django.core.management import call_command


def test_health_and_readiness(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["status"] == "ok"


def test_home_page_is_vietnamese_with_security_headers(client, db):
    response = client.get("/")
    html = response.content.decode()
    assert 'lang="vi"' in html and "Dịch vụ công trực tuyến" in html
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"


def test_unknown_page_is_a_vietnamese_404(client, db):
    response = client.get("/khong-ton-tai/")
    assert response.status_code == 404 and "Không tìm thấy trang" in response.content.decode()


def test_demo_loads_once_and_prints_accounts(db, capsys):
    from egov.org.models import Agency, Official

    call_command("demo")
    first = capsys.readouterr().out
    agencies, officials = Agency.objects.count(), Official.objects.count()
    assert agencies >= 11 and "stp.lanhdao" in first and "Demo@2026" in first
    call_command("demo")
    second = capsys.readouterr().out
    assert "không nạp lại" in second
    assert (Agency.objects.count(), Official.objects.count()) == (agencies, officials)


def test_long_lists_count_only_up_to_the_cap(rf, db, monkeypatch):
    from egov.core.views import CappedPaginator, paginate
    from egov.org.models import AdministrativeUnit
    from egov.org.units import load_units

    load_units()
    monkeypatch.setattr(CappedPaginator, "cap", 100)
    page = paginate(rf.get("/", {"page": "3"}), AdministrativeUnit.objects.order_by("code"))
    assert page.paginator.capped and page.paginator.count == 101 and page.number == 3
    assert [u.code for u in page] == list(AdministrativeUnit.objects.order_by("code")
                                          .values_list("code", flat=True)[50:75])
    small = paginate(rf.get("/"), AdministrativeUnit.objects.filter(level="province"))
    assert not small.paginator.capped and small.paginator.count == 34


def test_readiness_reports_the_worker_backlog(client, db, settings):
    """Monitoring reads the queue from /readyz: tasks waiting, failed, and the oldest one's age."""
    import datetime as dt

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from egov.notify.tasks import deliver

    assert client.get("/readyz").json()["tasks"] == {"ready": 0, "running": 0, "failed": 0,
                                                       "oldest_ready_seconds": 0}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    waiting = deliver.enqueue(notification_id=1)
    DBTaskResult.objects.filter(pk=waiting.id).update(enqueued_at=timezone.now() - dt.timedelta(minutes=10))
    failed = deliver.enqueue(notification_id=2)
    DBTaskResult.objects.filter(pk=failed.id).update(status="FAILED")
    # scheduled for later: not waiting yet
    deliver.using(run_after=timezone.now() + dt.timedelta(hours=1)).enqueue(notification_id=3)

    response = client.get("/readyz")
    tasks = response.json()["tasks"]
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert (tasks["ready"], tasks["running"], tasks["failed"]) == (1, 0, 1)
    assert 600 <= tasks["oldest_ready_seconds"] < 3600
