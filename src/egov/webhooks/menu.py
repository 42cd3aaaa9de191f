from egov.core.menu import MenuItem

MENU = [MenuItem("Webhook", "webhook-list", "apikey.manage", order=925)]
