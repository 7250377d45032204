"""The admin behind a second factor: django-otp's admin site lets in only staff who gave a
TOTP code at login (staff without a confirmed TOTP device cannot use it)."""

from django_otp.admin import OTPAdminSite


class AdminSite(OTPAdminSite):
    def __init__(self, name="admin"):
        # OTPAdminSite names itself "otpadmin"; "admin" keeps every admin URL name.
        super().__init__(name)
