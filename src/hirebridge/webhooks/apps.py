from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "hirebridge.webhooks"
    label = "webhooks"
    verbose_name = "Outgoing webhooks"
