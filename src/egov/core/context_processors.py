from django.conf import settings


def site(request):
    from egov.core.menu import menu_for

    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "DEMO_MODE": settings.DEMO_MODE,
        "staff_menu": menu_for(user) if user is not None and user.is_authenticated else [],
    }
