from egov.core.menu import MenuItem

MENU = [MenuItem("Tin nhắn SMS", "sms-list", "sms.view", order=600),
        MenuItem("Thông báo", "my-notifications", "citizen", order=120)]
