"""Who may do what with dossiers. Step actions additionally need the role of the dossier's
current step in that step's agency (checked in `services._ensure_step_actor`)."""

from egov.org.permissions import Rule
from egov.org.roles import Role

RULES = {
    "dossier.view": Rule(Role.COUNTER_OFFICER, Role.SPECIALIST, Role.LEADER, Role.AGENCY_ADMIN,
                         Role.SYSTEM_ADMIN, scope="dossiers:read", subtree=True,
                         description="Xem hồ sơ của cơ quan"),
    "dossier.intake": Rule(Role.COUNTER_OFFICER, scope="dossiers:write",
                           description="Tiếp nhận, từ chối, yêu cầu bổ sung hồ sơ tại bộ phận một cửa"),
    "dossier.process": Rule(Role.COUNTER_OFFICER, Role.SPECIALIST, Role.LEADER, scope="dossiers:write",
                            description="Xử lý hồ sơ ở bước được giao"),
    "dossier.return": Rule(Role.COUNTER_OFFICER, scope="dossiers:write",
                           description="Trả kết quả, lập phiếu xin lỗi"),
    "dossier.submit": Rule(scope="dossiers:write", description="Nộp hồ sơ thay người dân (hệ thống khác)"),
    "dossier.stats": Rule(Role.COUNTER_OFFICER, Role.SPECIALIST, Role.LEADER, Role.AGENCY_ADMIN,
                          Role.SYSTEM_ADMIN, subtree=True, description="Thống kê hồ sơ"),
}
