from egov.core.menu import MenuItem

MENU = [
    MenuItem("Liên thông", "exchange-inbox", "exchange.view", order=860),
    MenuItem("Yêu cầu thu hồi, cập nhật", "exchange-requests", "exchange.requests", order=318),
]
