from django.urls import path

from egov.documents import views, views_outgoing

app_name = "documents"

urlpatterns = [
    path("den/", views.incoming_list, name="incoming"),
    path("den/vao-so/", views.register, name="register"),
    path("den/vao-so/doc-tep/", views.register_extract, name="register-extract"),
    path("viec-can-xu-ly/", views.tasks, name="tasks"),
    path("tim-kiem/", views.search_page, name="search"),
    path("chi-so/", views.measures, name="measures"),
    path("loai-van-ban/", views.types, name="types"),
    path("loai-van-ban/<int:pk>/", views.type_edit, name="type-edit"),
    path("di/", views_outgoing.outgoing_list, name="outgoing"),
    path("di/soan-thao/", views_outgoing.draft, name="draft"),
    path("cho-duyet/", views_outgoing.approvals, name="approvals"),
    path("cho-phat-hanh/", views_outgoing.issue_queue, name="issue-queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/tep/<int:file_pk>/", views.download, name="file"),
    path("<int:pk>/phan-cong/", views.assign, name="assign"),
    path("<int:pk>/y-kien/", views.add_note, name="note"),
    path("phan-cong/<int:pk>/chuyen/", views.reassign, name="reassign"),
    path("phan-cong/<int:pk>/hoan-thanh/", views.complete, name="complete"),
    path("<int:pk>/phien-ban/", views_outgoing.add_version, name="version"),
    path("<int:pk>/trinh/", views_outgoing.submit, name="submit"),
    path("<int:pk>/gop-y/", views_outgoing.review, name="review"),
    path("<int:pk>/duyet-ky/", views_outgoing.approve, name="approve"),
    path("<int:pk>/tra-lai/", views_outgoing.return_draft, name="return"),
    path("<int:pk>/phat-hanh/", views_outgoing.issue, name="issue"),
]
