"""Nobody sees what is not theirs: every page and endpoint requires login."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

PAGES = ["home", "api-docs", "influencer-list", "influencer-export"]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PAGES)
def test_pages_redirect_anonymous_users_to_login(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse(url_name)}"


@pytest.mark.django_db
def test_admin_redirects_anonymous_users_to_admin_login(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_admin_refuses_non_staff_users(logged_in_client):
    response = logged_in_client.get("/admin/influencers/socialaccount/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/overview/", "/api/schema/"])
def test_api_answers_401_without_credentials(client, path):
    response = client.get(path, HTTP_ACCEPT="application/json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.django_db
def test_api_accepts_a_token(client, user):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=user)

    response = client.get("/api/v1/overview/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 200
    assert response.json()["accounts"] == 0


@pytest.mark.django_db
def test_api_rejects_a_wrong_token(client):
    response = client.get("/api/v1/overview/", HTTP_AUTHORIZATION="Token not-a-real-token")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.django_db
def test_login_with_the_right_password_lands_on_the_dashboard(client, user):
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain == [(reverse("home"), 302)]
    assert b"Accounts per platform and follower tier" in response.content


@pytest.mark.django_db
def test_login_with_a_wrong_password_stays_on_the_login_page(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": "nope"})

    assert response.status_code == 200
    assert b"didn't match" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_csrf_is_enforced_on_login(user):
    from django.test import Client

    strict_client = Client(enforce_csrf_checks=True)

    response = strict_client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}
    )

    assert response.status_code == 403
    assert "_auth_user_id" not in strict_client.session
