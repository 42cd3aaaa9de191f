from egov.core.menu import MenuItem

MENU = [
    MenuItem("Hồ sơ", "dossier-list", "dossier.view", order=100, badge=("dossiers.mine",)),
    MenuItem("Tiếp nhận hồ sơ", "dossier-intake", "dossier.intake", order=105, badge=("dossiers.tiep-nhan",)),
    MenuItem("Thống kê hồ sơ", "dossier-stats", "dossier.stats", order=110),
    MenuItem("Hồ sơ của tôi", "dossier-mine", "citizen", order=100),
    MenuItem("Tra cứu hồ sơ", "dossier-track", "citizen", order=110),
]


def counts(user) -> dict[str, int]:
    """The dossiers waiting for an official (selectors.queue_counts), keyed "dossiers.<part>"."""
    from egov.dossiers.selectors import queue_counts

    if not getattr(user, "is_official", False):
        return {}
    return {f"dossiers.{name}": value for name, value in queue_counts(user).items()}
