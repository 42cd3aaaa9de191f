from egov.org.permissions import Rule
from egov.org.roles import Role

RULES = {
    "sms.view": Rule(Role.COUNTER_OFFICER, Role.LEADER, Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN,
                     description="Xem tin nhắn SMS"),
    "sms.inbound": Rule(scope="sms:inbound", description="Chuyển tin nhắn SMS đến"),
    # Those who answer a citizen asking "why did I get no message?": the SMS readers.
    "notification.view": Rule(Role.COUNTER_OFFICER, Role.LEADER, Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN,
                              description="Xem nhật ký thông báo"),
    # The wording speaks for every agency on the platform.
    "notification.templates": Rule(Role.SYSTEM_ADMIN, description="Sửa mẫu thông báo"),
}
