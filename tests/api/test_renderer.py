"""The API renders with orjson (cartolangue/api/renderers.py): the same JSON values as ninja's standard
renderer, for every type the API writes."""

import datetime
import decimal
import json

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from ninja.renderers import JSONRenderer

from cartolangue.api.renderers import ORJSONRenderer
from cartolangue.offers import enums


def both(data):
    fast = ORJSONRenderer().render(None, data, response_status=200)
    standard = JSONRenderer().render(None, data, response_status=200)
    return json.loads(fast), json.loads(standard)


def test_every_type_the_api_writes_renders_as_the_standard_renderer_does():
    data = {
        "text": "Atelier d'écriture – أبجدية 中文",
        "int": 12345,
        "float": 2.3456789,
        "none": None,
        "bool": True,
        "date": datetime.date(2026, 11, 27),
        "time": datetime.time(9, 30),
        "datetime_utc": datetime.datetime(2026, 11, 27, 8, 15, 30, 123456, tzinfo=datetime.UTC),
        "datetime_paris": timezone.localtime(datetime.datetime(2026, 6, 1, 12, 0, 1, 5, tzinfo=datetime.UTC)),
        "decimal": decimal.Decimal("12.50"),
        "lazy": gettext_lazy("Gratuit"),
        "choice": enums.CourseType.ASL,
        "level": enums.CecrlLevel.A2,
        "nested": [{"list": [1, 2.5, "x"]}],
    }
    fast, standard = both(data)
    assert fast == standard
    assert fast["datetime_utc"] == "2026-11-27T08:15:30.123Z"  # Django's format, not orjson's


def test_an_unknown_type_is_an_error_not_a_silent_string():
    with pytest.raises(TypeError):
        ORJSONRenderer().render(None, {"x": object()}, response_status=200)
