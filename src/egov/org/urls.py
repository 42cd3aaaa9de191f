from django.urls import path

from egov.org import views

urlpatterns = [
    path("tai-khoan/dang-nhap/", views.login, name="login"),
    path("tai-khoan/dang-xuat/", views.logout, name="logout"),
    path("tai-khoan/dang-ky/", views.register, name="register"),
    path("can-bo/", views.staff_home, name="staff-home"),
    path("can-bo/co-quan/", views.agency_list, name="agency-list"),
    path("can-bo/can-bo/", views.official_list, name="official-list"),
]
