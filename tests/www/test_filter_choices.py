"""The sidebar's checkboxes are built in Python (`filter_choices`), not by a template loop: same escaping and
same number formatting as the template engine would give."""

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import localize

from cartolangue.www.templatetags.cartolangue import _number_formatter, filter_choices


def test_values_and_labels_are_escaped_and_selection_checked():
    html = filter_choices('ty"pe', [('<b>"x"</b>', "Ateliers & <i>cours</i>", 3, True), ("fle", "FLE", 0, False)])
    assert 'name="ty&quot;pe"' in html
    assert 'value="&lt;b&gt;&quot;x&quot;&lt;/b&gt;" checked>' in html
    assert "Ateliers &amp; &lt;i&gt;cours&lt;/i&gt;" in html
    assert "<b>" not in html and "<i>" not in html
    assert 'value="fle">' in html  # not checked
    assert html.count("<label") == 2


def test_the_same_markup_as_the_template_loop_it_replaces():
    values = [("asl", "Atelier sociolinguistique", 12345, True), ("fle", "FLE l'été", 7, False)]
    loop = Template(
        '{% for value, label, count, selected in values %}<label class="choice"><input type="checkbox" '
        'name="{{ name }}" value="{{ value }}"{% if selected %} checked{% endif %}> {{ label }} '
        '<span class="count">({{ count }})</span></label>{% if not forloop.last %}\n{% endif %}{% endfor %}'
    )
    for language in ("fr", "en", "ar"):
        with translation.override(language):
            assert filter_choices("type", values) == loop.render(Context({"name": "type", "values": values}))


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_counts_are_localised_as_localize_does(language):
    with translation.override(language):
        number = _number_formatter()
        for n in [0, 7, 999, 1000, 12345, 100000, 1234567]:
            assert number(n) == localize(n)
