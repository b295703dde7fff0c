import factory

from accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    """A Better Auth user, as first seen from a token."""

    class Meta:
        model = User

    id = factory.Sequence(lambda n: f"ba_user_{n:04d}")
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
