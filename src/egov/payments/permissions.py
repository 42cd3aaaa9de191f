"""Who may do what with fee payments. The applicant pays their own dossier online (no permission:
ownership, checked in the service); external systems through the API scopes."""

from egov.org.permissions import Rule
from egov.org.roles import Role

RULES = {
    "payment.view": Rule(Role.COUNTER_OFFICER, Role.LEADER, Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN,
                         scope="payments:read", subtree=True, description="Xem các khoản thanh toán phí, lệ phí"),
    # An external system (the portal, a kiosk) opens an online payment for a dossier of its agency.
    "payment.create": Rule(scope="payments:write", description="Tạo giao dịch thanh toán trực tuyến cho hồ sơ"),
    "payment.collect": Rule(Role.COUNTER_OFFICER, scope="payments:write",
                            description="Thu phí, lệ phí tại quầy (tiền mặt, chuyển khoản)"),
    "payment.exempt": Rule(Role.COUNTER_OFFICER, Role.LEADER,
                           description="Ghi nhận miễn, giảm phí, lệ phí có căn cứ"),
    "payment.refund": Rule(Role.LEADER, description="Hoàn tiền phí, lệ phí đã nộp"),
    # Reconciliation checks the collectors: the leaders and administrators do it, not the counter.
    "payment.reconcile": Rule(Role.LEADER, Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN, scope="payments:read",
                              subtree=True, description="Đối soát giao dịch thanh toán với cổng thanh toán"),
}
