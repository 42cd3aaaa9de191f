"""Citizen pages for feedback (phản ánh, kiến nghị): send, confirm, track, rate or reopen, and the
published answers. Public: no login needed, and no page shows a sender's name, phone, email or
address (the tracking page reads only selectors.track).

The browser that sent (or confirmed) a feedback keeps its id in the session ("feedback_sent"), so
an anonymous sender may rate or reopen from the same phone; selectors.sender_may_act decides.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from egov.core.client import client_address
from egov.core.errors import DomainError
from egov.core.ratelimit import RateLimited, check_rate, client_key
from egov.core.views import citizen_required, paginate
from egov.dossiers.tracking import check_tracking_rate
from egov.feedback import mapsvg, search, selectors, services
from egov.feedback.forms import ConfirmForm, DuplicateCheckForm, FeedbackForm, RateForm, ReopenForm
from egov.feedback.models import Feedback, FeedbackField

SESSION_KEY = "feedback_sent"
SESSION_KEEP = 20  # the last feedback this browser sent: enough for anyone, bounded for the cookie
# Resending a one-time code costs an SMS: a few per feedback and client in ten minutes.
RESEND_LIMIT, RESEND_WINDOW = 3, 600
LATEST = 5
SIMILAR_LIMIT = 30  # per client and minute


def remember(request, feedback: Feedback) -> None:
    """Let this browser act as the sender of `feedback` (rate, reopen)."""
    sent = [pk for pk in request.session.get(SESSION_KEY, []) if pk != feedback.pk]
    request.session[SESSION_KEY] = ([feedback.pk] + sent)[:SESSION_KEEP]


def _by_code(code: str) -> Feedback:
    feedback = selectors.by_code((code or "")[:40])
    if feedback is None:
        raise Http404("Không tìm thấy phản ánh.")
    return feedback


def _track_url(code: str) -> str:
    return f"{reverse('feedback-track')}?ma={code}"


# -- landing ----------------------------------------------------------------------------------
@require_GET
def home(request):
    """Phản ánh, kiến nghị: send one, track one by its code, read the latest public answers."""
    return render(request, "feedback/public/home.html", {"latest": list(search.published()[:LATEST])})


# -- sending ----------------------------------------------------------------------------------
def _citizen(request):
    """The signed-in citizen or business, or None: an official sends feedback like anyone else."""
    user = request.user
    return user if user.is_authenticated and not user.is_official else None


def _initial(user) -> dict:
    if user is None:
        return {}
    return {"name": user.organization_name or user.full_name, "phone": user.phone or "", "email": user.email}


def _similar(data: dict) -> list[Feedback]:
    from egov.feedback import duplicates

    if not (data.get("subject") or data.get("content")):
        return []
    return duplicates.similar(subject=data.get("subject") or "", content=data.get("content") or "",
                              unit=data.get("unit") or None, address=data.get("address") or "")


def send(request):
    """Gửi phản ánh: the form, the "similar feedback" check (a server round trip), and the sending."""
    units = list(mapsvg.province_units())
    form = FeedbackForm(request.POST or None, request.FILES or None, user=_citizen(request), units=units,
                        initial=_initial(_citizen(request)))
    context = {"form": form, "map": mapsvg.render(units), "checked": False, "similar": []}
    status = 200
    if request.method == "POST":
        if "check" in request.POST:
            check = DuplicateCheckForm(request.POST)
            context["checked"] = True
            context["similar"] = _similar(check.cleaned_data) if check.is_valid() else []
            form.errors.clear()  # a check is not a sending: no "required" errors yet
            return render(request, "feedback/public/send.html", context)
        if form.is_valid():
            feedback, status = _submit(request, form)
            if feedback is not None:
                return _after_sending(request, feedback)
        else:
            status = 400
    return render(request, "feedback/public/send.html", context, status=status)


def _submit(request, form) -> tuple[Feedback | None, int]:
    data = form.cleaned_data
    user = _citizen(request)
    try:
        feedback, _created = services.submit(
            subject=data["subject"], content=data["content"], name=data["name"], phone=data["phone"],
            email=data["email"], address=data["address"], field=data["field"], unit=data["unit"],
            map_x=data["map_x"], map_y=data["map_y"], publish_consent=data["publish_consent"],
            files=data["files"], user=user, client_ip=client_address(request), channel="web",
            idempotency_key=data.get("token") or None)
    except RateLimited as exc:
        form.add_error(None, exc.message)
        return None, 429
    except DomainError as exc:
        form.add_error(_field_of(exc, form), exc.message)
        return None, exc.status if exc.status < 500 else 400
    return feedback, 200


# The services' error codes that name a field of the form other than their own name.
FIELD_OF_CODE = {"contact": "phone", "too_many_files": "files", "bad_image": "files"}


def _field_of(error: DomainError, form) -> str | None:
    """The form field an error from services.submit belongs next to, or None (above the form)."""
    name = FIELD_OF_CODE.get(error.code, error.code)
    if name not in form.fields and "file" in error.code:
        name = "files"
    return name if name in form.fields and not form.fields[name].widget.is_hidden else None


def _after_sending(request, feedback: Feedback):
    remember(request, feedback)
    if feedback.status == Feedback.Status.PENDING:
        return redirect("feedback-confirm", code=feedback.code)
    messages.success(request, f"Đã gửi phản ánh, mã {feedback.code}: dùng mã này để theo dõi kết quả.")
    return redirect(_track_url(feedback.code))


@require_GET
def similar(request):
    """The "similar feedback" list as a fragment, for the form's script (the same as the check)."""
    try:
        # Each call ranks up to a few hundred reports: a typing citizen asks a few times a minute.
        check_rate("feedback-similar", client_key(request), limit=SIMILAR_LIMIT, window=60)
    except RateLimited:
        return HttpResponse("", status=429)
    check = DuplicateCheckForm(request.GET)
    found = _similar(check.cleaned_data) if check.is_valid() else []
    return render(request, "feedback/public/_similar.html", {"similar": found, "checked": True})


# -- confirming -------------------------------------------------------------------------------
def _masked(target: str) -> str:
    """Where the code went, recognisable to its owner only: ***4567, n***@mail.vn."""
    if "@" in target:
        name, _, domain = target.partition("@")
        return f"{name[:1]}***@{domain}"
    return "***" + target[-4:]


def confirm(request, code):
    """Xác nhận phản ánh: the one-time code sent to the anonymous sender's phone or email."""
    feedback = _by_code(code)
    if feedback.status != Feedback.Status.PENDING:
        return redirect(_track_url(feedback.code))
    form = ConfirmForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                feedback = services.confirm(feedback.code, form.cleaned_data["otp"])
            except DomainError as exc:
                form.add_error("otp", exc.message)
            else:
                remember(request, feedback)
                messages.success(request, f"Đã xác nhận. Phản ánh {feedback.code} đã được chuyển đến cơ quan "
                                          "tiếp nhận; bạn sẽ nhận thông báo khi có kết quả.")
                return redirect(_track_url(feedback.code))
        status = 400
    return _code_page(request, "feedback/public/confirm.html", feedback, form, status)


def _code_page(request, template: str, feedback: Feedback, form, status: int):
    """The page asking for a one-time code, saying (masked) where the newest one went."""
    sent_to = feedback.confirmations.order_by("-created_at", "-id").values_list("target", flat=True).first()
    return render(request, template, {
        "feedback": feedback, "form": form, "sent_to": _masked(sent_to) if sent_to else "",
        "demo": settings.DEMO_MODE}, status=status)


@require_POST
def resend(request, code):
    feedback = _by_code(code)
    try:
        check_rate("feedback-resend", f"{feedback.pk}:{client_key(request)}", limit=RESEND_LIMIT,
                   window=RESEND_WINDOW)
        services.resend_confirmation(feedback.code)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã gửi lại mã xác nhận.")
    return redirect("feedback-confirm", code=feedback.code)


# -- "I am the sender" from another browser ---------------------------------------------------
@require_POST
def send_sender_code(request, code):
    """Xác nhận là người gửi: a fresh code to the feedback's phone or email (the SMS costs: limited)."""
    feedback = _by_code(code)
    try:
        check_rate("feedback-sender-code", f"{feedback.pk}:{client_key(request)}", limit=RESEND_LIMIT,
                   window=RESEND_WINDOW)
        services.send_sender_code(feedback.code)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_track_url(feedback.code))
    return redirect("feedback-verify-sender", code=feedback.code)


def verify_sender(request, code):
    """The code sent by send_sender_code: typed right, this browser may rate and reopen."""
    feedback = _by_code(code)
    if feedback.status == Feedback.Status.PENDING:
        return redirect("feedback-confirm", code=feedback.code)
    form = ConfirmForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.verify_sender(feedback.code, form.cleaned_data["otp"])
            except DomainError as exc:
                form.add_error("otp", exc.message)
            else:
                remember(request, feedback)
                messages.success(request, "Đã xác nhận bạn là người gửi phản ánh.")
                return redirect(_track_url(feedback.code))
        status = 400
    return _code_page(request, "feedback/public/verify_sender.html", feedback, form, status)


# -- tracking, rating, reopening --------------------------------------------------------------
def track(request):
    """Tra cứu phản ánh: status, dates, public history and the published answer; no personal data."""
    code = request.GET.get("ma", "").strip()[:40]
    context = {"code": code, "result": None, "refused": ""}
    if not code:
        return render(request, "feedback/public/track.html", context)
    try:
        check_tracking_rate(client_key(request))
    except RateLimited as exc:
        context["refused"] = exc.message
        return render(request, "feedback/public/track.html", context, status=429)
    result = selectors.track(code)
    if result is None:
        return render(request, "feedback/public/track.html", context, status=404)
    context["result"] = result
    feedback = selectors.by_code(result["code"])
    if selectors.sender_may_act(request.user, request.session, feedback):
        context.update(_sender_actions(feedback))
    elif feedback.status == Feedback.Status.ANSWERED and (feedback.sender_phone or feedback.sender_email):
        context["may_verify"] = True  # another browser: the sender proves it with a code to rate or reopen
    return render(request, "feedback/public/track.html", context)


def _sender_actions(feedback: Feedback, *, rate_form=None, reopen_form=None) -> dict:
    """What the sender may do now: rate the answer (once per answer), reopen (within the window)."""
    context = {"is_sender": True}
    if feedback.status != Feedback.Status.ANSWERED:
        return context
    answer = selectors.current_answer(feedback)
    if answer is not None and not hasattr(answer, "rating"):
        context["rate_form"] = rate_form or RateForm()
    elif answer is not None:
        context["rating"] = answer.rating
    deadline = feedback.answered_at + timezone.timedelta(days=settings.FEEDBACK_REOPEN_DAYS)
    if timezone.now() <= deadline:
        context["reopen_form"] = reopen_form or ReopenForm()
        context["reopen_until"] = deadline
    return context


def _sender_feedback(request, code) -> Feedback:
    feedback = _by_code(code)
    if not selectors.sender_may_act(request.user, request.session, feedback):
        raise DjangoPermissionDenied
    return feedback


def _track_again(request, feedback, status, **forms):
    context = {"code": feedback.code, "result": selectors.track(feedback.code), "refused": ""}
    context.update(_sender_actions(feedback, **forms))
    return render(request, "feedback/public/track.html", context, status=status)


@require_POST
def rate(request, code):
    feedback = _sender_feedback(request, code)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.rate(feedback, stars=form.cleaned_data["stars"], satisfied=form.cleaned_data["satisfied"],
                          comment=form.cleaned_data["comment"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Cảm ơn bạn đã đánh giá câu trả lời.")
            return redirect(_track_url(feedback.code))
    return _track_again(request, feedback, 400, rate_form=form)


@require_POST
def reopen(request, code):
    feedback = _sender_feedback(request, code)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.reopen(feedback, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Đã mở lại phản ánh. Cơ quan sẽ xem xét và trả lời lại.")
            return redirect(_track_url(feedback.code))
    return _track_again(request, feedback, 400, reopen_form=form)


# -- published answers, the citizen's own list ------------------------------------------------
@require_GET
def published(request):
    """Trả lời công khai: the published answers, searchable with or without diacritics."""
    q = request.GET.get("q", "").strip()[:200]
    fields = list(FeedbackField.objects.filter(is_active=True))
    field = next((f for f in fields if f.code == request.GET.get("linh-vuc")), None)
    page = paginate(request, search.published(q, field=field))
    return render(request, "feedback/public/published.html",
                  {"page": page, "q": q, "fields": fields, "field": field})


@citizen_required
def mine(request):
    """Phản ánh của tôi: what the signed-in citizen sent, newest first."""
    sent = Feedback.objects.filter(sender=request.user).select_related("field", "unit").order_by("-created_at", "-id")
    return render(request, "feedback/public/mine.html", {"page": paginate(request, sent)})


# Mounted at the site root (feedback/urls.py): the public pages spell their prefix.
urlpatterns = [
    path("phan-anh/", home, name="feedback-home"),
    path("phan-anh/gui/", send, name="feedback-send"),
    path("phan-anh/gui/tuong-tu/", similar, name="feedback-similar"),
    path("phan-anh/xac-nhan/<str:code>/", confirm, name="feedback-confirm"),
    path("phan-anh/xac-nhan/<str:code>/gui-lai/", resend, name="feedback-resend"),
    path("phan-anh/tra-cuu/", track, name="feedback-track"),
    path("phan-anh/tra-cuu/<str:code>/nguoi-gui/", send_sender_code, name="feedback-sender-code"),
    path("phan-anh/tra-cuu/<str:code>/nguoi-gui/xac-nhan/", verify_sender, name="feedback-verify-sender"),
    path("phan-anh/tra-cuu/<str:code>/danh-gia/", rate, name="feedback-rate"),
    path("phan-anh/tra-cuu/<str:code>/mo-lai/", reopen, name="feedback-reopen"),
    path("phan-anh/cong-khai/", published, name="feedback-published"),
    path("phan-anh/cua-toi/", mine, name="feedback-mine"),
]
