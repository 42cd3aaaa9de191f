from django.urls import path

from egov.procedures import views

urlpatterns = [
    path("", views.procedure_list, name="procedure-list"),
    path("quan-ly/", views.manage, name="procedure-manage"),
    path("quan-ly/excel/", views.excel_page, name="procedure-excel"),
    path("quan-ly/excel/danh-muc-thu-tuc.xlsx", views.excel_download, name="procedure-export"),
    path("quan-ly/<str:code>/ap-dung/", views.adopt, name="procedure-adopt"),
    path("quan-ly/<str:code>/to-khai/", views.form_edit, name="procedure-form"),
    path("quan-ly/<str:code>/to-khai/mau.pdf", views.form_sample, name="procedure-form-sample"),
    path("quan-ly/<str:code>/quy-trinh/", views.process_edit, name="procedure-process"),
    path("<str:code>/", views.procedure_detail, name="procedure-detail"),
    path("<str:code>/mau/<int:paper_id>/", views.form_template, name="procedure-form-template"),
]
