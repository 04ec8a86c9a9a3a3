"""Absolute links (issue 20): from the request where there is one (`make run PORT=8101`, a proxy), from
ZAALBOEK_SITE_URL for mail — which `make run` and `make worker` set from HOST and PORT."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_my_bookings__private_feed_copy_field_and_webcal_link_use_the_requests_host(client):
    client.force_login(UserFactory.resident())
    text = client.get("/mijn/", HTTP_HOST="127.0.0.1:8101").content.decode()
    assert 'id="feed-url"' in text and 'value="http://127.0.0.1:8101/ical/private/' in text
    assert 'href="webcal://127.0.0.1:8101/ical/private/' in text
    assert "127.0.0.1:8000" not in text


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("target", ["run", "worker"])
def test_make__passes_the_site_url_from_host_and_port(target):
    dry = subprocess.run(["make", "-n", target, "PORT=8101"], cwd=Path(settings.BASE_DIR), capture_output=True,
                         text=True, timeout=60, check=False).stdout
    assert 'ZAALBOEK_SITE_URL="${ZAALBOEK_SITE_URL:-http://127.0.0.1:8101}"' in dry
