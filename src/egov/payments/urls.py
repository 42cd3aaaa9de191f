from django.urls import path

from egov.payments import views_pay, views_sandbox, views_staff

urlpatterns: list = [
    path("sandbox/", views_sandbox.sandbox, name="payment-sandbox"),
    path("ket-qua/", views_pay.result, name="payment-return"),
    path("ho-so/<int:pk>/", views_pay.pay, name="payment-pay"),
    path("<int:pk>/bien-lai.pdf", views_staff.receipt, name="payment-receipt"),
    path("bien-lai/<str:token>/", views_staff.verify, name="payment-verify"),
    path("quan-ly/", views_staff.payment_list, name="payment-list"),
    path("quan-ly/tim-ho-so/", views_staff.find_dossier, name="payment-find-dossier"),
    path("quan-ly/ho-so/<int:pk>/", views_staff.dossier_payments, name="payment-dossier"),
    path("quan-ly/ho-so/<int:pk>/thu-tai-quay/", views_staff.collect, name="payment-collect"),
    path("quan-ly/ho-so/<int:pk>/mien-giam/", views_staff.exempt, name="payment-exempt"),
    path("quan-ly/<int:pk>/", views_staff.payment_detail, name="payment-detail"),
    path("quan-ly/<int:pk>/hoan-tien/", views_staff.refund, name="payment-refund"),
    path("doi-soat/", views_staff.reconcile, name="payment-reconciliation"),
]
