import re

import pytest

SERVER_TIMING = re.compile(r"app;dur=(\d+\.\d{2})")


def app_duration(response) -> float:
    match = SERVER_TIMING.fullmatch(response["Server-Timing"])
    assert match, response["Server-Timing"]
    return float(match.group(1))


def test_healthz_answers_ok_with_server_timing(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok" and response["Content-Type"].startswith("text/plain")
    assert app_duration(response) >= 0


@pytest.mark.django_db
def test_server_timing_on_a_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert app_duration(response) >= 0
