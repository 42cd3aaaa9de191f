from egov.core.menu import MenuItem

MENU = [
    MenuItem("Hồ sơ", "dossier-list", "dossier.view", order=100),
    MenuItem("Tiếp nhận hồ sơ", "dossier-intake", "dossier.intake", order=105),
    MenuItem("Thống kê hồ sơ", "dossier-stats", "dossier.stats", order=110),
    MenuItem("Hồ sơ của tôi", "dossier-mine", "citizen", order=100),
    MenuItem("Tra cứu hồ sơ", "dossier-track", "citizen", order=110),
]
