"""Pages of the satisfaction rating of dossiers (đánh giá mức độ hài lòng): the applicant's page,
reached by the link in the result SMS or from their account, and the leaders' read-only summary."""

from __future__ import annotations

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from egov.core.errors import DomainError, NotFound
from egov.core.limits import DateField
from egov.core.views import paginate
from egov.dossiers.models import Dossier
from egov.feedback import ratings
from egov.org.access import staff_required

THANKS = "da-gui"  # ?da-gui=1 after a rating: the thank-you state instead of "already rated"


class RatingForm(forms.Form):
    level = forms.ChoiceField(label="Mức độ hài lòng", choices=ratings.Level.choices, widget=forms.RadioSelect,
                              error_messages={"required": "Vui lòng chọn một mức độ hài lòng.",
                                              "invalid_choice": "Vui lòng chọn một mức độ hài lòng."})
    comment = forms.CharField(label="Ý kiến thêm (không bắt buộc)", required=False, max_length=ratings.COMMENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}))


@require_http_methods(["GET", "POST"])
def rate_by_link(request, token):
    """The page the result SMS links to: whoever holds the link rates, signed in or not."""
    try:
        dossier = ratings.dossier_from_token(token)
    except NotFound as exc:
        return render(request, "core/error.html", {"title": "Liên kết đánh giá không hợp lệ", "message": exc.message},
                      status=404)
    return _rating_page(request, dossier, here=reverse("service-rating", args=[token]))


@require_http_methods(["GET", "POST"])
def rate_mine(request, code):
    """The same page for the applicant signed in to their account (from "Hồ sơ của tôi" or the
    tracking page): only the account that filed the dossier reaches it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    dossier = Dossier.objects.select_related("procedure", "agency").filter(code=code[:40]).first()
    if dossier is None or not ratings.is_applicant(request.user, dossier):
        raise Http404("Không tìm thấy hồ sơ của bạn.")
    return _rating_page(request, dossier, here=reverse("service-rating-mine", args=[dossier.code]))


def _rating_page(request, dossier: Dossier, *, here: str):
    rating = ratings.rating_of(dossier)
    form = RatingForm(request.POST or None) if rating is None else None
    if request.method == "POST" and form is not None and form.is_valid():
        user = request.user if ratings.is_applicant(request.user, dossier) else None
        try:
            ratings.rate_dossier(dossier, level=form.cleaned_data["level"], comment=form.cleaned_data["comment"],
                                 user=user)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(f"{here}?{THANKS}=1")
    if rating is not None:
        state = "thanks" if request.GET.get(THANKS) else "rated"
    elif not ratings.may_be_rated(dossier):
        state = "not_ready"
    else:
        state = "form"
    return render(request, "feedback/ratings/rate.html", {
        "dossier": dossier, "rating": rating, "form": form, "state": state, "here": here})


class PeriodForm(forms.Form):
    tu_ngay = DateField(label="Từ ngày", required=False)
    den_ngay = DateField(label="Đến ngày", required=False)


@staff_required("feedback.ratings")
def staff_summary(request):
    """Đánh giá hài lòng: how many applicants chose each level, and their comments, for the
    agencies the official may see."""
    form = PeriodForm(request.GET or None)
    found = ratings.visible_ratings(request.user)
    if form.is_valid():
        found = ratings.in_period(found, start=form.cleaned_data.get("tu_ngay"), end=form.cleaned_data.get("den_ngay"))
    elif form.is_bound:
        found = found.none()
    return render(request, "feedback/ratings/staff.html", {
        "form": form, "counts": ratings.level_counts(found),
        "page": paginate(request, found.exclude(comment="")),
    })


urlpatterns = [
    path("danh-gia/ho-so/ma/<str:code>/", rate_mine, name="service-rating-mine"),
    path("danh-gia/ho-so/<str:token>/", rate_by_link, name="service-rating"),
    path("can-bo/danh-gia-hai-long/", staff_summary, name="service-rating-summary"),
]
