from django.urls import path

from egov.org import account_views, admin_views, staff_views, views

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
    path("can-bo/can-bo/them/", admin_views.official_create, name="official-create"),
    path("can-bo/can-bo/<int:pk>/", admin_views.official_detail, name="official-detail"),
    path("can-bo/can-bo/<int:pk>/khoa/", admin_views.official_deactivate, name="official-deactivate"),
    path("can-bo/can-bo/<int:pk>/mo-khoa/", admin_views.official_reactivate, name="official-reactivate"),
    path("can-bo/can-bo/<int:pk>/dat-lai-mat-khau/", admin_views.official_reset_password,
         name="official-reset-password"),
    path("can-bo/co-quan/<int:pk>/", admin_views.agency_detail, name="agency-detail"),
    path("can-bo/co-quan/<int:pk>/phong-ban/", admin_views.department_create, name="department-create"),
    path("can-bo/phong-ban/<int:pk>/", admin_views.department_edit, name="department-edit"),
    path("can-bo/lich-lam-viec/ngay-nghi-lam-bu/", admin_views.calendar_exceptions, name="calendar-exceptions"),
    path("can-bo/lich-lam-viec/ngay-nghi-lam-bu/<int:pk>/xoa/", admin_views.calendar_exception_delete,
         name="calendar-exception-delete"),
    path("can-bo/nhat-ky/", staff_views.audit_log, name="audit-log"),
    path("can-bo/lich-lam-viec/", staff_views.working_calendar, name="working-calendar"),
]
