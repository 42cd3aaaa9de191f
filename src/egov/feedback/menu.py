from egov.core.menu import Figure, MenuItem

# The officials' queues (selectors.queue parts), keyed as selectors.queue_counts names them.
QUEUES = ("feedback.phan-loai", "feedback.xu-ly", "feedback.duyet")

MENU = [
    MenuItem("Đánh giá hài lòng", "service-rating-summary", "feedback.ratings", order=115),
    MenuItem("Phản ánh của tôi", "feedback-mine", "citizen", order=120),
    MenuItem("Phản ánh, kiến nghị", "feedback-staff-list", "feedback.view", order=120, badge=QUEUES),
    MenuItem("Danh sách chặn", "feedback-bans", "feedback.moderate", order=125),
    MenuItem("Lĩnh vực phản ánh", "feedback-fields", "feedback.settings", order=126),
]

FIGURES = [
    Figure("Phản ánh chờ phân loại", ("feedback.phan-loai",), "feedback-staff-list", "hang=phan-loai", order=80),
    Figure("Phản ánh chờ duyệt", ("feedback.duyet",), "feedback-staff-list", "hang=duyet", order=82),
    # Overdue feedback reaches the leader's home by itself: escalation that is seen, not only recorded.
    Figure("Phản ánh quá hạn", ("feedback.qua-han",), "feedback-staff-list", "hang=qua-han", order=84, late=True),
]


def counts(user) -> dict:
    """The feedback waiting for an official, keyed "feedback.<part>" as selectors.queue_counts: as
    querysets, so core.menu.work_counts counts them with every app's in one statement."""
    from egov.feedback.selectors import queue_querysets

    if not getattr(user, "is_official", False):
        return {}
    return queue_querysets(user)
