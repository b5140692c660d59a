from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hirebridge.accounts"
    label = "accounts"
    verbose_name = "Accounts"
