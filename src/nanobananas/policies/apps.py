"""App config for policies: versioned privacy policy and terms, notices and acceptances."""

from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "nanobananas.policies"
    label = "policies"
    verbose_name = "Policies"
