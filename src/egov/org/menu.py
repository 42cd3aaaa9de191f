from egov.core.menu import MenuItem

MENU = [
    MenuItem("Trang làm việc", "staff-home", "staff.home", order=0),
]
MENU += [
    MenuItem("Cơ quan, đơn vị", "agency-list", "staff.home", order=880),
    MenuItem("Cán bộ", "official-list", "org.manage_officials", order=890),
    MenuItem("Lịch làm việc", "working-calendar", "staff.home", order=900),
    MenuItem("Ngày nghỉ, làm bù", "calendar-exceptions", "calendar.manage", order=905),
    MenuItem("Nhật ký thao tác", "audit-log", "audit.view", order=910),
]
# Officials reach it from their home page; citizens have no home page of their own.
MENU += [MenuItem("Tài khoản", "account-profile", "citizen", order=940),
         MenuItem("Xác thực hai bước", "two-factor-setup", "citizen", order=950)]
