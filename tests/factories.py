import factory

from hirebridge.accounts.models import User
from hirebridge.accounts.roles import Role
from hirebridge.hiring import services
from hirebridge.hiring.models import Posting
from hirebridge.hiring.models.postings import PostingState
from hirebridge.linkedin.models import Integration

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    role = Role.TEAM_MEMBER

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(password=PASSWORD, **kwargs)


class PostingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Posting

    title = factory.Sequence(lambda n: f"Engineer {n}")
    team = "Platform"
    location = "Berlin"
    state = PostingState.PUBLISHED
    owner = factory.SubFactory(UserFactory, role=Role.ADMIN)


def candidate(actor, name="Ada Lovelace", **kwargs):
    """A candidate with one opportunity, made the way the product makes them."""
    kwargs.setdefault("emails", [f"{name.split()[0].lower()}@example.com"])
    return services.create_candidate(actor, name=name, **kwargs)


def linkedin_integration() -> Integration:
    """A configured LinkedIn integration: from then on the hiring services fill the outbox."""
    integration = Integration(client_id="x", organization_urn="urn:li:organization:1")
    integration.client_secret = "s"
    integration.save()
    return integration
