"""HTTP Basic with the API key as the user name and an empty password, as Lever does."""

from django.http import HttpRequest
from ninja.security import HttpBasicAuth

from hirebridge.accounts.models import ApiKey, User, hash_api_key
from hirebridge.api import ratelimit
from hirebridge.api.errors import unauthorized


class ApiKeyAuth(HttpBasicAuth):
    """Sets request.auth to the key's owner, who must be active; every request is counted
    against that key's rate limit."""

    def authenticate(self, request: HttpRequest, username: str, password: str) -> User:
        if password:
            raise unauthorized(
                "The API key goes in the HTTP Basic user name; the password must be empty"
            )
        user = ApiKey.objects.authenticate(username)
        if user is None:
            raise unauthorized(
                "Invalid API key: it is unknown, revoked, or its owner is deactivated"
            )
        ratelimit.spend(hash_api_key(username))
        return user
