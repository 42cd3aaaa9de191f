from django.urls import path

from egov.dossiers import views

urlpatterns = [
    # citizens
    path("nop/", views.file_start, name="dossier-start"),
    path("nop/<str:procedure_code>/", views.file_online, name="dossier-file"),
    path("cua-toi/", views.my_dossiers, name="dossier-mine"),
    path("cua-toi/<int:pk>/", views.my_dossier, name="dossier-mine-detail"),
    path("cua-toi/<int:pk>/bo-sung/", views.resubmit, name="dossier-resubmit"),
    path("cua-toi/<int:pk>/rut/", views.withdraw, name="dossier-withdraw"),
    path("cua-toi/<int:pk>/ket-qua/<int:result_id>/", views.my_result, name="dossier-mine-result"),
    # public
    path("tra-cuu/", views.track_redirect, name="dossier-track"),
    path("tra-cuu/<str:code>/", views.track, name="dossier-track-code"),
    # staff
    path("", views.dossier_list, name="dossier-list"),
    path("tiep-nhan/", views.counter_intake, name="dossier-intake"),
    path("tiep-nhan-nhieu/", views.accept_many, name="dossier-accept-many"),
    path("giay-tiep-nhan.pdf", views.receipts, name="dossier-receipts"),
    path("thong-ke/", views.stats, name="dossier-stats"),
    path("<int:pk>/", views.dossier_detail, name="dossier-detail"),
    path("<int:pk>/thao-tac/", views.dossier_act, name="dossier-act"),
    path("<int:pk>/giay-tiep-nhan.pdf", views.receipt, name="dossier-receipt"),
    path("<int:pk>/phieu-xin-loi/<int:letter_id>.pdf", views.apology_pdf, name="dossier-apology-pdf"),
    path("<int:pk>/phieu-kiem-soat.pdf", views.control_pdf, name="dossier-control-pdf"),
    path("<int:pk>/phieu-bo-sung/<int:supplement_id>.pdf", views.supplement_pdf, name="dossier-supplement-pdf"),
    path("<int:pk>/phieu-tu-choi.pdf", views.refusal_pdf, name="dossier-refusal-pdf"),
    path("<int:pk>/giay-to/<int:file_id>/", views.paper_download, name="dossier-paper"),
    path("<int:pk>/ket-qua/<int:result_id>/", views.result_download, name="dossier-result"),
]
