from egov.core.menu import MenuItem

MENU = [
    MenuItem("Thủ tục hành chính", "procedure-manage", "procedures.manage", order=300),
    MenuItem("Nhập, xuất danh mục thủ tục", "procedure-excel", "procedures.manage", order=310),
]
