"""Who may change the procedures catalogue and the agencies' processes."""

from egov.org.permissions import Rule
from egov.org.roles import Role

RULES = {
    # The catalogue page, adopting procedures and setting an agency's own process. Agency
    # administrators act for their agency and the agencies below it.
    "procedures.manage": Rule(Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN, subtree=True,
                              description="Quản lý thủ tục hành chính của cơ quan"),
    # The shared national/provincial catalogue itself (procedures, default processes, Excel import):
    # one edit changes every agency's page, so only system administrators hold it.
    "procedures.catalogue": Rule(Role.SYSTEM_ADMIN, description="Quản lý danh mục thủ tục hành chính"),
}
