from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "hirebridge.audit"
    label = "audit"
    verbose_name = "Audit log"
