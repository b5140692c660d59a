from django.apps import AppConfig


class LinkedinConfig(AppConfig):
    name = "hirebridge.linkedin"
    label = "linkedin"
    verbose_name = "LinkedIn Recruiter System Connect"
