"""Template context shared by every page."""

from django.http import HttpRequest

from cartolangue.offers.models import Course
from cartolangue.search.version import memo_by_version


def demo_offer(request: HttpRequest) -> dict[str, bool]:
    """Whether the offer holds demonstration courses: while it does, every page says so in a banner (a card's
    badge alone is missed by whoever reads a single page). Read once per data version."""
    return {"offer_has_demo": memo_by_version("offer-has-demo", lambda: Course.objects.demo().exists())}
