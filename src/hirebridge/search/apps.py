from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "hirebridge.search"
    label = "search"
    verbose_name = "Search"
