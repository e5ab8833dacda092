from html import escape

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.urls import translate_url
from django.utils import timezone
from django.utils.formats import get_format, localize
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info

from cartolangue.search.version import per_version

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """The current page in every interface language: (code, name in that language, url, is current)."""
    request = context["request"]
    current = context.get("LANGUAGE_CODE")
    links = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(request.get_full_path(), code)
        links.append((code, get_language_info(code)["name_local"], url, code == current))
    return links


@register.simple_tag(takes_context=True)
def cached_part(context, template_name, course):
    """A part of a course's card that depends only on the course: rendered once per data version (the search
    index's token, `data_version` in the context), language and day, then kept in the process
    (`per_version`). Without a data version (a page that does not come from the index), rendered every time."""
    version = context.get("data_version")
    if not version:
        return get_template(template_name).render({"course": course})
    # The language and the day are read once per page (the first part rendered stores them in the context).
    suffix = context.get("_cached_part_suffix")
    if suffix is None:
        suffix = context["_cached_part_suffix"] = (get_language(), timezone.localdate())
    fragments = per_version("card-parts", version, size=20_000, course_of=lambda key: key[1])
    key = (template_name, course.pk, *suffix)
    html = fragments.get(key)
    if html is None:
        html = fragments[key] = get_template(template_name).render({"course": course})
    return mark_safe(html)  # rendered by the template engine, escaped there  # noqa: S308


@register.simple_tag
def filter_choices(name, values):
    """The checkboxes of one filter: [(value, label, count, selected)] → labelled inputs. Built here rather
    than by a template loop: the sidebar has about a hundred of them, and the template engine's per-variable
    lookups would make it the costliest part of the search page (ADR 0011). Every value is escaped here; counts are
    localised as the template would (thousands separated)."""
    name = escape(str(name))
    number = _number_formatter()
    html = [
        f'<label class="choice"><input type="checkbox" name="{name}" value="{escape(str(value))}"'
        f"{' checked' if selected else ''}> {escape(str(label))} "
        f'<span class="count">({number(count)})</span></label>'
        for value, label, count, selected in values
    ]
    return mark_safe("\n".join(html))  # noqa: S308 (escaped above)


def _number_formatter():
    """Integers as `localize` writes them in the current language (its thousands separator), with the
    language's formats read once rather than at every number."""
    if get_format("NUMBER_GROUPING") != 3 or not settings.USE_THOUSAND_SEPARATOR:
        return localize
    separator = get_format("THOUSAND_SEPARATOR")
    return lambda n: str(n) if n < 1000 else f"{n:,}".replace(",", separator)
