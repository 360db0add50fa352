import pytest

# Factories import Django models, so they are imported inside the fixtures: the pure
# engine and parser tests can also run without Django (`pytest -p no:django`).

PASSWORD = "correct horse battery"


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
