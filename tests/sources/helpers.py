"""Feeds for the synchronisation tests: LHEO files built from the LHEO tests' formation, the repository's real
samples for the other formats, and a way to register a source."""

from pathlib import Path

from cartolangue.offers.models import Course
from cartolangue.sources.models import Source
from tests.interop.lheo.test_lheo_import import formation

TESTS = Path(__file__).resolve().parents[1]
RESEAU_ALPHA = TESTS / "interop" / "reseau_alpha" / "data" / "cartographie-sample.json"
DI_SERVICES = TESTS / "interop" / "data_inclusion" / "data" / "services-idf.json"
DI_STRUCTURES = TESTS / "interop" / "data_inclusion" / "data" / "structures-idf.json"


def lheo(*numbers: str, objectif: str = "Parler au quotidien", title: str = "FLE A2 à Sarcelles") -> str:
    body = "".join(formation(numero=n, objectif=objectif, title=f"{title} {n}") for n in numbers)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><lheo xmlns="http://lheo.gouv.fr/2.3"><offres>{body}</offres></lheo>'
    )


def register(name: str, location: str, fmt: str = "lheo", **extra) -> Source:
    return Source.objects.create(
        name=name,
        label=extra.pop("label", name.upper()),
        format=fmt,
        location=location,
        licence=extra.pop("licence", "Licence Ouverte 2.0"),
        attribution=extra.pop("attribution", f"© {name}"),
        **extra,
    )


def offer(source: str) -> list[tuple]:
    """What the public side holds of a source: every course with the fields a sync may change."""
    return list(
        Course.objects.filter(source=source)
        .order_by("source_id")
        .values_list("source_id", "name", "description", "status", "updated_at")
    )
