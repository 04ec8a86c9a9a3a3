"""Zaalboek's own error pages (400, 403, CSRF, 404, 500): the visitor's language, a viewport, the site's header —
and under DEBUG (`make run`) the 404 is Zaalboek's too, not Django's English technical page."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def _client(language: str) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize(("language", "heading"), [("nl", "Pagina niet gevonden"), ("en", "Page not found")])
def test_404__own_page_in_the_visitors_language(language, heading):
    response = _client(language).get("/bestaat-niet/")
    text = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in text and VIEWPORT in text and heading in text
    assert 'class="zb-header"' in text


@override_settings(DEBUG=True)
def test_404__under_debug_is_zaalboeks_page_not_djangos():
    response = _client("nl").get("/bestaat-niet/")
    text = response.content.decode()
    assert response.status_code == 404
    assert "Pagina niet gevonden" in text and "Using the URLconf" not in text and VIEWPORT in text


@override_settings(DEBUG=True)
def test_404__under_debug_the_api_keeps_its_own_answer():
    response = _client("nl").get("/api/v1/bestaat-niet/")
    assert response.status_code == 404
    assert "Pagina niet gevonden" not in response.content.decode()


@pytest.mark.parametrize(("language", "heading"), [("nl", "Geen toegang"), ("en", "No access")])
def test_403__a_resident_on_the_municipality_pages_gets_the_own_page(client, language, heading):
    client.force_login(UserFactory.resident())
    response = client.get("/gemeente/", HTTP_ACCEPT_LANGUAGE=language)
    text = response.content.decode()
    assert response.status_code == 403
    assert f'<html lang="{language}">' in text and VIEWPORT in text and heading in text
    assert "403 Forbidden" not in text


def test_403_csrf__a_refused_form_says_what_to_do_in_dutch():
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="nl")
    response = client.post("/inloggen/", {"username": "a", "password": "b"})
    text = response.content.decode()
    assert response.status_code == 403
    assert "Formulier verlopen" in text and VIEWPORT in text and '<html lang="nl">' in text


@pytest.mark.parametrize(("language", "heading"), [("nl", "Er ging iets mis"), ("en", "Something went wrong")])
def test_500__own_page_in_the_visitors_language(rf, language, heading):
    from django.utils import translation

    from config.errors import server_error

    with translation.override(language):
        response = server_error(rf.get("/zalen/1/"))
    text = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{language}">' in text and VIEWPORT in text and heading in text


def test_400__own_page(rf):
    from django.utils import translation

    from config.errors import bad_request

    request = rf.get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    with translation.override("en"):
        response = bad_request(request)
    assert response.status_code == 400 and "Request could not be read" in response.content.decode()
