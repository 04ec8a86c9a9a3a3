"""The municipality's new pages (issue 21) in English hold no Dutch catalogue phrase, and in Dutch no English one
(the check of tests/frontend/test_language_leftovers.py, on the pages it does not visit)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import UserFactory, local_dt
from tests.frontend.test_language_leftovers import RAW_CODE, _phrases, visible_text
from tests.gemeente.test_report import a_house

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(frozen_now, caps):
    frozen_now(local_dt(2026, 12, 1, 9))
    house = a_house(1)
    a_house(2)
    return UserFactory.municipality(), [
        "/gemeente/bezetting/", f"/gemeente/huizen/{house.pk}/bezetting/", "/gemeente/inkomsten/",
        "/gemeente/toegankelijkheid/", "/gemeente/automatisch-goedkeuren/", "/gemeente/rapport/2026/",
        "/gemeente/export/", "/gemeente/maxima/", "/gemeente/regels/", f"/gemeente/huizen/{house.pk}/"]


@pytest.mark.parametrize("language", ["en", "nl"])
def test_new_municipality_pages__no_phrase_of_the_other_language(pages, language):
    officer, paths = pages
    dutch, english = _phrases()
    other = dutch if language == "en" else english
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(officer)
    found = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200 and response["Content-Language"] == language, path
        text = visible_text(response.content.decode())
        hits = sorted(p for p in other if p in text) + RAW_CODE.findall(text)
        if language == "en":
            hits += [w for w in ("Ochtend", "Middag", "Avond", "Nacht", "maandag", "Bezetting") if re.search(rf"\b{w}\b", text)]
        if hits:
            found[path] = hits
    assert found == {}
