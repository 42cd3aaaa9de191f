from django.urls import path

from egov.exchange import views

urlpatterns = [
    path("hop-thu-den/", views.inbox, name="exchange-inbox"),
    path("hop-thu-di/", views.outbox, name="exchange-outbox"),
    path("hop-thu-di/<int:pk>/gui-lai/", views.resend, name="exchange-resend"),
    path("goi-tin/<int:pk>/", views.message_detail, name="exchange-message"),
    path("goi-tin/<int:pk>/tai-ve/", views.message_raw, name="exchange-message-raw"),
    path("cach-ly/", views.quarantine, name="exchange-quarantine"),
    path("dau-moi/", views.peers, name="exchange-peers"),
    path("dau-moi/them/", views.peer_create, name="exchange-peer-create"),
    path("dau-moi/<int:pk>/", views.peer_edit, name="exchange-peer-edit"),
    path("yeu-cau/", views.requests, name="exchange-requests"),
    path("yeu-cau/<int:pk>/tra-loi/", views.answer, name="exchange-answer"),
]
