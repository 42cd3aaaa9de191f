from egov.core.menu import MenuItem

MENU = [
    MenuItem("Ký số tệp PDF", "signing-sign", "signing.sign_personal", order=690),
    MenuItem("Chứng thư số của tôi", "signing-my-certificates", "signing.own_certificates", order=700),
    MenuItem("Chứng thư số cơ quan", "signing-agency-certificates", "signing.manage_agency_certificates", order=710),
    MenuItem("Chứng thư số gốc tin cậy", "signing-trusted-roots", "signing.manage_trust_roots", order=720),
]
