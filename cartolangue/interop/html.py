"""Rich text from other systems (LHEO's escaped HTML, data·inclusion's markdown-ish text) → plain text.

The HTML is first sanitised by nh3 (ammonia) keeping only block structure, then flattened to text with
its paragraphs and list items on their own lines: nothing from the source is ever shown as markup.
"""

import html
import re

import nh3

_BLOCK_END = re.compile(r"</(p|li|div|h[1-6]|tr)>|<br\s*/?>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<li>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def html_to_text(value: str | None) -> str:
    """Plain text of a rich-text value (HTML, once unescaped by the XML parser)."""
    text = (value or "").strip()
    if "<" not in text and "&" not in text:
        return text
    return _flatten(text)


def _flatten(value):
    safe = nh3.clean(value, tags={"p", "br", "li", "ul", "ol", "div", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})
    safe = _LIST_ITEM.sub("- ", _BLOCK_END.sub("\n", safe))
    text = html.unescape(_TAG.sub("", safe))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
