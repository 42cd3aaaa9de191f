"""Who may do what with feedback. The receiving office (the agency named by EGOV_FEEDBACK_OFFICE,
the root agency by default) classifies and routes; the competent agency's specialists draft the
answer and its leaders approve it."""

from egov.org.permissions import Rule
from egov.org.roles import Role

RULES = {
    "feedback.view": Rule(Role.COUNTER_OFFICER, Role.SPECIALIST, Role.LEADER, Role.CLERK, Role.AGENCY_ADMIN,
                          Role.SYSTEM_ADMIN, scope="feedback:read", subtree=True,
                          description="Xem phản ánh, kiến nghị của cơ quan"),
    "feedback.route": Rule(Role.CLERK, Role.COUNTER_OFFICER, Role.LEADER, scope="feedback:write",
                           description="Phân loại, chuyển cơ quan có thẩm quyền, đóng phản ánh"),
    "feedback.handle": Rule(Role.SPECIALIST, Role.LEADER, scope="feedback:write",
                            description="Xử lý phản ánh: dự thảo trả lời, chuyển, trả lại"),
    "feedback.approve": Rule(Role.LEADER, scope="feedback:write",
                             description="Duyệt và công khai trả lời phản ánh"),
    "feedback.moderate": Rule(Role.CLERK, Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN, subtree=True,
                              description="Kiểm duyệt phản ánh: ẩn, che thông tin, chặn người gửi"),
    "feedback.ratings": Rule(Role.LEADER, Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN, scope="feedback:read", subtree=True,
                             description="Xem đánh giá mức độ hài lòng về giải quyết hồ sơ của cơ quan"),
    "feedback.settings": Rule(Role.SYSTEM_ADMIN, description="Quản lý lĩnh vực và thời hạn xử lý phản ánh"),
}
