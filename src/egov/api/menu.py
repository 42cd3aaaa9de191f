from egov.core.menu import MenuItem

MENU = [MenuItem("Hệ thống kết nối (khóa API)", "apikey-list", "apikey.manage", order=920)]
