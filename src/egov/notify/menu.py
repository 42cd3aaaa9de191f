from egov.core.menu import MenuItem

MENU = [MenuItem("Tin nhắn SMS", "sms-list", "sms.view", order=600),
        MenuItem("Nhật ký thông báo", "notification-log", "notification.view", order=605),
        MenuItem("Mẫu thông báo", "notification-templates", "notification.templates", order=610),
        MenuItem("Thông báo", "notification-list", "citizen", order=120)]
