from django.apps import AppConfig


class HiringConfig(AppConfig):
    name = "hirebridge.hiring"
    label = "hiring"
    verbose_name = "Hiring"
