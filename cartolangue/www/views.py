from django.shortcuts import render

from cartolangue.geo.models import Zoning
from cartolangue.offers.stats import counts_by_departement, counts_by_zone, offer_totals


def home(request):
    zonings = [(zoning, counts_by_zone(zoning)) for zoning in Zoning.objects.all()]
    return render(
        request,
        "www/home.html",
        {"totals": offer_totals(), "departements": counts_by_departement(), "zonings": zonings},
    )
