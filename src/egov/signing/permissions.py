"""Who may hold, manage and use signing certificates."""

from egov.org.permissions import ALL_STAFF, Rule
from egov.org.roles import Role

RULES = {
    "signing.own_certificates": Rule(*ALL_STAFF, description="Đăng ký chứng thư số của mình"),
    # the certificate's owner is checked too: nobody signs with another person's certificate
    "signing.sign_personal": Rule(*ALL_STAFF, description="Ký số văn bản bằng chứng thư số cá nhân"),
    "signing.sign_agency": Rule(Role.CLERK, description="Ký số văn bản bằng chứng thư số của cơ quan khi ban hành"),
    "signing.manage_agency_certificates": Rule(Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN, subtree=True,
                                               description="Quản lý chứng thư số của cơ quan"),
    "signing.manage_trust_roots": Rule(Role.SYSTEM_ADMIN, description="Quản lý chứng thư số gốc tin cậy"),
}
