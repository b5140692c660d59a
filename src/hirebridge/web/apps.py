from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "hirebridge.web"
    label = "web"
    verbose_name = "Recruiter UI"
