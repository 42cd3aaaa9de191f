from egov.org.permissions import ALL_STAFF, Rule
from egov.org.roles import Role

RULES = {
    "documents.view": Rule(*ALL_STAFF, scope="documents:read", description="Xem, tìm kiếm văn bản"),
    "documents.register": Rule(Role.CLERK, scope="documents:write", description="Vào sổ văn bản đến"),
    "documents.extract": Rule(Role.CLERK, Role.SPECIALIST, Role.LEADER, scope="documents:write",
                              description="Đọc thông tin từ tệp PDF văn bản"),
    "documents.assign": Rule(Role.LEADER, description="Phân công xử lý văn bản đến"),
    "documents.handle": Rule(Role.SPECIALIST, Role.LEADER, Role.CLERK, Role.COUNTER_OFFICER,
                             description="Xử lý văn bản được giao"),
    "documents.draft": Rule(Role.SPECIALIST, Role.LEADER, description="Soạn thảo văn bản đi"),
    "documents.review": Rule(Role.SPECIALIST, Role.LEADER, description="Cho ý kiến, duyệt dự thảo"),
    "documents.approve": Rule(Role.LEADER, description="Duyệt ký văn bản đi"),
    "documents.issue": Rule(Role.CLERK, description="Cấp số, phát hành văn bản đi"),
    "documents.measures": Rule(Role.LEADER, Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN, subtree=True,
                               description="Xem chỉ số văn bản điện tử"),
    "documents.manage_types": Rule(Role.SYSTEM_ADMIN, description="Quản lý loại văn bản"),
}
