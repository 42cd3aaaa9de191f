from egov.core.menu import MenuItem

MENU = [MenuItem("Tin nhắn SMS", "sms-list", "sms.view", order=600)]
