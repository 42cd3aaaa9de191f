"""Who may do what in the exchange (liên thông)."""

from egov.org.permissions import Rule
from egov.org.roles import Role

RULES = {
    # Peers hold the keys to call other systems and decide where documents go: the whole instance's
    # concern, so the system administrator's.
    "exchange.manage": Rule(Role.SYSTEM_ADMIN, description="Quản trị liên thông: đầu mối, gửi lại gói tin"),
    "exchange.view": Rule(Role.SYSTEM_ADMIN, description="Xem hộp thư liên thông, cách ly"),
    # The clerks who register a received document answer its sender's recall or update requests
    # (each on their own agency's documents: documents.register); a system administrator reads them all.
    "exchange.requests": Rule(Role.CLERK, Role.SYSTEM_ADMIN,
                              description="Xem yêu cầu thu hồi, cập nhật văn bản liên thông"),
    # A peer (another egov, the national exchange, another system) posting edXML messages to us.
    "exchange.receive": Rule(scope="exchange:write", description="Gửi văn bản, trạng thái liên thông đến"),
}
