from egov.core.menu import MenuItem

MENU = [
    MenuItem("Thanh toán phí, lệ phí", "payment-list", "payment.view", order=210),
    MenuItem("Đối soát thanh toán", "payment-reconciliation", "payment.reconcile", order=215),
]
