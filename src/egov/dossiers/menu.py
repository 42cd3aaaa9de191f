from egov.core.menu import Figure, MenuItem

# All the dossiers waiting for the official: the parts of the queue (selectors.queue_parts).
MINE = ("dossiers.tiep-nhan", "dossiers.tra-ket-qua", "dossiers.xu-ly")

MENU = [
    MenuItem("Hồ sơ", "dossier-list", "dossier.view", order=100, badge=MINE),
    MenuItem("Tiếp nhận hồ sơ", "dossier-intake", "dossier.intake", order=105, badge=("dossiers.tiep-nhan",)),
    MenuItem("Thống kê hồ sơ", "dossier-stats", "dossier.stats", order=110),
    MenuItem("Nộp hồ sơ", "dossier-start", "citizen", order=90),
    MenuItem("Hồ sơ của tôi", "dossier-mine", "citizen", order=100),
    MenuItem("Tra cứu hồ sơ", "dossier-track", "citizen", order=110),
]

FIGURES = [
    Figure("Chờ tiếp nhận", ("dossiers.tiep-nhan",), "dossier-list", "nhom=tiep-nhan", order=10),
    Figure("Đến hạn hôm nay", ("dossiers.due_today",), "dossier-list", "cua-toi=1&han=hom-nay", order=20),
    Figure("Đến hạn trong 2 ngày", ("dossiers.due_soon",), "dossier-list", "cua-toi=1&han=2-ngay", order=30),
    Figure("Quá hạn", ("dossiers.overdue",), "dossier-list", "cua-toi=1&qua-han=1", order=40, late=True),
    Figure("Hồ sơ chờ tôi phê duyệt", ("dossiers.phe-duyet",), "dossier-list", "nhom=phe-duyet", order=50),
    Figure("Chờ trả kết quả", ("dossiers.tra-ket-qua",), "dossier-list", "nhom=tra-ket-qua", order=60),
    Figure("Hồ sơ đang chờ tôi", MINE, "dossier-list", "cua-toi=1", order=70, name="dossiers.mine"),
]


def counts(user) -> dict:
    """The dossiers waiting for an official (selectors.queue_querysets), keyed "dossiers.<part>"."""
    from egov.dossiers.selectors import queue_querysets

    if not getattr(user, "is_official", False):
        return {}
    return queue_querysets(user, prefix="dossiers.")
