"""Input no database column can hold gets a clear 4xx, on SQLite and PostgreSQL alike (PostgreSQL raised
a server error on NUL bytes in text before)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/courses?q=a%00b",
        "/api/v1/courses?commune=9558%00",
        "/api/v1/courses?zone=a%00:1",
        "/api/v1/territories/communes?q=sa%00",
        "/api/v1/structures?q=%00x",
        "/api/v1/exam-sessions?certification=a%00",
    ],
)
def test_api_answers_422_on_nul_bytes(client, url):
    response = client.get(url)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"
    assert response.json()["detail"][0]["loc"][1] in url


@pytest.mark.parametrize("url", ["/?q=a%00b", "/?lieu=Sar%00", "/?commune=a%00", "/cours/1/?x=%00", "/admin/?q=%00"])
def test_pages_answer_400_on_nul_bytes(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "caractère nul interdit" in response.content.decode()


def test_control_characters_are_refused_by_the_search_parameters(client):
    response = client.get("/api/v1/courses", {"q": "a\x07b"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "caractère de contrôle interdit"
    html = client.get("/", {"q": "a\x07b"}).content.decode()
    assert "caractère de contrôle interdit" in html
