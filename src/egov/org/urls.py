from django.urls import path

from egov.org import account_views, staff_views, views

urlpatterns = [
    path("tai-khoan/dang-nhap/", views.login, name="login"),
    path("tai-khoan/dang-xuat/", views.logout, name="logout"),
    path("tai-khoan/dang-ky/", views.register, name="register"),
    path("tai-khoan/dang-ky/da-gui/", account_views.registration_sent, name="registration-sent"),
    path("tai-khoan/kich-hoat/<str:uidb64>/<str:token>/", account_views.activate, name="activate"),
    path("tai-khoan/quen-mat-khau/", account_views.password_reset, name="password-reset"),
    path("tai-khoan/quen-mat-khau/da-gui/", account_views.password_reset_sent, name="password-reset-sent"),
    path("tai-khoan/dat-lai-mat-khau/<str:uidb64>/<str:token>/", account_views.password_reset_confirm,
         name="password-reset-confirm"),
    path("tai-khoan/xac-thuc-hai-buoc/", account_views.two_factor_setup, name="two-factor-setup"),
    path("tai-khoan/xac-thuc-hai-buoc/nhap-ma/", account_views.two_factor_verify, name="two-factor-verify"),
    path("can-bo/", views.staff_home, name="staff-home"),
    path("can-bo/co-quan/", views.agency_list, name="agency-list"),
    path("can-bo/can-bo/", views.official_list, name="official-list"),
    path("can-bo/nhat-ky/", staff_views.audit_log, name="audit-log"),
    path("can-bo/lich-lam-viec/", staff_views.working_calendar, name="working-calendar"),
]
