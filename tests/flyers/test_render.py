import logging

import pytest
from django.http import QueryDict
from weasyprint.urls import URLFetchingError

from cartolangue.flyers import render
from cartolangue.flyers.views import flyer_context, render_flyer
from tests.flyers.test_flyer import demo  # noqa: F401 (fixture)


def test_the_fetcher_serves_the_pictograms_and_nothing_else():
    url = render.picto_url("place")
    assert url.startswith("data:image/svg+xml,")
    response = render._FETCHER.fetch(url)
    assert response.content_type == "image/svg+xml"
    assert response.read().startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')
    for other in (
        "http://127.0.0.1:8000/",
        "file:///etc/passwd",
        "data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A//www.w3.org/2000/svg%22/%3E",
    ):
        with pytest.raises(URLFetchingError):
            render._FETCHER.fetch(other)


def test_whitespace_collapses_as_css_would_and_keeps_typographic_spaces():
    text = "a \n\t  b\r\nc\u00a0d\u202fe\u2009f\u3000g"
    assert render.collapse_whitespace(text) == "a b c\u00a0d\u202fe\u2009f\u3000g"


def test_every_pictogram_of_the_flyer_loads(demo, caplog):  # noqa: F811
    caplog.set_level(logging.WARNING, logger="weasyprint")
    context = flyer_context(QueryDict("commune=95585"), "ar", "https://carto-langue.example.org")
    assert render_flyer(context).startswith(b"%PDF")
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    for name in ("place", "clock", "euro", "child", "phone", "calendar"):
        assert render.picto_url(name) in render._PICTO_SVGS
