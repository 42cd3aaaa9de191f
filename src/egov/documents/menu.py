from egov.core.menu import Figure, MenuItem

MENU = [
    MenuItem("Việc cần xử lý", "documents:tasks", "documents.handle", order=300,
             badge=("documents.tasks", "documents.reviews", "documents.signatures", "dossiers.xu-ly")),
    MenuItem("Văn bản đến", "documents:incoming", "documents.view", order=310),
    MenuItem("Vào sổ văn bản đến", "documents:register", "documents.register", order=315),
    MenuItem("Văn bản đi", "documents:outgoing", "documents.view", order=320),
    MenuItem("Soạn văn bản đi", "documents:draft", "documents.draft", order=325),
    MenuItem("Duyệt, ký văn bản", "documents:approvals", "documents.review", order=330,
             badge=("documents.reviews", "documents.signatures")),
    MenuItem("Phát hành văn bản", "documents:issue-queue", "documents.issue", order=335),
    MenuItem("Tìm kiếm văn bản", "documents:search", "documents.view", order=340),
    MenuItem("Chỉ số văn bản", "documents:measures", "documents.measures", order=345),
    MenuItem("Loại văn bản", "documents:types", "documents.manage_types", order=850),
]

FIGURES = [
    Figure("Văn bản chờ tôi duyệt, ký", ("documents.reviews", "documents.signatures"), "documents:approvals",
           order=55),
    Figure("Văn bản được giao xử lý", ("documents.tasks",), "documents:tasks", order=80),
]


def counts(user) -> dict:
    """The documents waiting for an official (selectors.waiting_querysets), keyed "documents.<part>"."""
    from egov.documents.selectors import waiting_querysets
    from egov.org.permissions import can

    if not getattr(user, "is_official", False) or not (can(user, "documents.handle") or can(user, "documents.review")):
        return {}
    return {f"documents.{name}": queryset for name, queryset in waiting_querysets(user).items()}
