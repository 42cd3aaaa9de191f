from egov.core.menu import MenuItem

MENU = [MenuItem("Tin nhắn SMS", "sms-list", "sms.view", order=600),
        MenuItem("Nhật ký thông báo", "notification-log", "notification.view", order=605),
        MenuItem("Mẫu thông báo", "notification-templates", "notification.templates", order=610),
        MenuItem("Thông báo", "notification-list", "citizen", order=120)]


def counts(user) -> dict:
    """An official's unread notifications, counted with the menu's badges in one statement (the
    bell in the header reads them from there, core.menu.work_counts)."""
    from egov.notify.selectors import unread_bounded

    if not getattr(user, "is_official", False):
        return {}
    return {"notify.unread": unread_bounded(user)}
