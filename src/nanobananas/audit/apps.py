"""App config for the audit log."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "nanobananas.audit"
    label = "audit"
