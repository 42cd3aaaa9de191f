from egov.core.menu import MenuItem

MENU = [
    MenuItem("Đánh giá hài lòng", "service-rating-summary", "feedback.ratings", order=115),
    MenuItem("Phản ánh của tôi", "feedback-mine", "citizen", order=120),
]
