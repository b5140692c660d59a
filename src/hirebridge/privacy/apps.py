from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "hirebridge.privacy"
    label = "privacy"
    verbose_name = "Privacy"
