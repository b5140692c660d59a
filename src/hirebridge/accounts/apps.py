from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hirebridge.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Connects the audit receivers of sign-in and sign-out.
        from hirebridge.accounts import receivers  # noqa: F401
