import pytest

# Factories import Django models, so they are imported inside the fixtures: the pure
# engine and parser tests can also run without Django (`pytest -p no:django`).

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the local-memory cache outlives a test)."""
    from django.conf import settings

    if not settings.configured:  # the pure engine and parser tests, run without Django
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def staff_user(db):
    from tests.factories import UserFactory

    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def logged_in_client(client, user):
    client.force_login(user)
    return client
