from egov.core.menu import MenuItem

MENU = [
    MenuItem("Việc cần xử lý", "documents:tasks", "documents.handle", order=300),
    MenuItem("Văn bản đến", "documents:incoming", "documents.view", order=310),
    MenuItem("Vào sổ văn bản đến", "documents:register", "documents.register", order=315),
    MenuItem("Văn bản đi", "documents:outgoing", "documents.view", order=320),
    MenuItem("Soạn văn bản đi", "documents:draft", "documents.draft", order=325),
    MenuItem("Duyệt, ký văn bản", "documents:approvals", "documents.review", order=330),
    MenuItem("Phát hành văn bản", "documents:issue-queue", "documents.issue", order=335),
    MenuItem("Tìm kiếm văn bản", "documents:search", "documents.view", order=340),
    MenuItem("Chỉ số văn bản", "documents:measures", "documents.measures", order=345),
    MenuItem("Loại văn bản", "documents:types", "documents.manage_types", order=850),
]
