from egov.org.permissions import Rule
from egov.org.roles import Role

RULES = {
    "sms.view": Rule(Role.COUNTER_OFFICER, Role.LEADER, Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN,
                     description="Xem tin nhắn SMS"),
    "sms.inbound": Rule(scope="sms:inbound", description="Chuyển tin nhắn SMS đến"),
}
