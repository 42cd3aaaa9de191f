from django.urls import path

from egov.payments import views_pay, views_sandbox

urlpatterns: list = [
    path("sandbox/", views_sandbox.sandbox, name="payment-sandbox"),
    path("ket-qua/", views_pay.result, name="payment-return"),
    path("ho-so/<int:pk>/", views_pay.pay, name="payment-pay"),
]
