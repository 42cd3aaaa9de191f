from django.contrib import admin
from django.urls import include, path

from egov.core import views as core_views

admin.site.site_header = "Quản trị egov"
admin.site.site_title = "Quản trị egov"
admin.site.index_title = "Quản trị hệ thống"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("quan-tri/", admin.site.urls),
    path("", include("egov.api.urls")),
    path("", include("egov.org.urls")),
    path("thu-tuc/", include("egov.procedures.urls")),
    path("ho-so/", include("egov.dossiers.urls")),
    path("van-ban/", include("egov.documents.urls")),
    path("chu-ky-so/", include("egov.signing.urls")),
    path("lien-thong/", include("egov.exchange.urls")),
    path("can-bo/webhook/", include("egov.webhooks.urls")),
    path("", include("egov.feedback.urls")),  # its public "/phan-anh/", "/danh-gia/" and staff pages
    path("thong-ke/", include("egov.metrics.urls")),
    path("thanh-toan/", include("egov.payments.urls")),
    path("thong-bao/", include("egov.notify.urls")),
    path("", include("egov.portal.urls")),
]

handler404 = "egov.core.views.page_not_found"
handler500 = "egov.core.views.server_error"
handler403 = "egov.core.views.permission_denied"
