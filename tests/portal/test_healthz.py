import pytest

from portal import health

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_when_database_broker_and_cache_are_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "cache": "ok"}


def test_healthz_answers_503_and_names_the_failing_part(client, monkeypatch):
    def broken() -> None:
        raise ConnectionError("broker down")

    monkeypatch.setitem(health.CHECKS, "broker", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert response.json()["database"] == "ok"
    assert "broker down" not in response.content.decode()
