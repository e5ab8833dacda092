from django import template
from django.conf import settings
from django.core.cache import caches
from django.template.loader import get_template
from django.urls import translate_url
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info

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
    index's token, `data_version` in the context), language and day, then served from the "fragments" cache.
    Without a data version (a page that does not come from the index), rendered every time."""
    template = get_template(template_name)
    version = context.get("data_version")
    if not version:
        return template.render({"course": course})
    key = f"{template_name}:{course.pk}:{version}:{get_language()}:{timezone.localdate().isoformat()}"
    fragments = caches["fragments"]
    html = fragments.get(key)
    if html is None:
        html = template.render({"course": course})
        fragments.set(key, html)
    return mark_safe(html)  # rendered by the template engine, escaped there  # noqa: S308
