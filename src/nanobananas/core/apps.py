"""App config for shared pieces, and the admin served by the staff site."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "nanobananas.core"
    label = "core"
    default = True


class StaffAdminConfig(admin_apps.AdminConfig):
    """The Django admin, served by the staff site (optional TOTP, audited views of user content)."""

    default = False
    default_site = "nanobananas.core.staff.StaffAdminSite"
