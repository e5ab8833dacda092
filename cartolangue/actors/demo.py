"""Demo actors for the kinds no open file gives (issue #22): PLIE, CCAS, centres ressources illettrisme and
refugee support, in the largest communes of the demo territory. Each is flagged `source="demo"`, says
"démonstration" in its name, sits at its commune's centre (flagged approximate) and has no phone or e-mail: a
made-up number could ring a real person. Pages and exports label them; the public export leaves them out."""

from django.db import transaction

from cartolangue.actors.enums import KIND_DEFAULTS, ActorKind
from cartolangue.actors.models import Actor
from cartolangue.geo.models import Commune
from cartolangue.offers.models import DEMO_SOURCE

DEMO_DEPARTEMENT = "95"
# Kind → how many communes get one (the largest first): one PLIE per few communes, a CCAS in every large one.
DEMO_KINDS: dict[str, int] = {
    ActorKind.PLIE: 5,
    ActorKind.CCAS: 12,
    ActorKind.ILLITERACY_CENTRE: 1,
    ActorKind.REFUGEES: 3,
}
DEMO_KIND_NAMES: dict[str, str] = {
    ActorKind.PLIE: "PLIE",
    ActorKind.CCAS: "CCAS",
    ActorKind.ILLITERACY_CENTRE: "Centre ressources illettrisme",
    ActorKind.REFUGEES: "Accompagnement des réfugiés",
}


def demo_actors() -> int:
    """Replace the demo actors; deterministic (the communes by population). Returns how many were written."""
    communes = list(
        Commune.objects.filter(departement__code=DEMO_DEPARTEMENT)
        .exclude(population=None)
        .defer("geometry")
        .order_by("-population", "code_insee")[: max(DEMO_KINDS.values())]
    )
    actors = []
    for kind, count in DEMO_KINDS.items():
        publics, schemes = KIND_DEFAULTS[kind]
        for commune in communes[:count]:
            actors.append(
                Actor(
                    source=DEMO_SOURCE,
                    source_id=f"{kind}-{commune.code_insee}",
                    kind=kind,
                    name=f"{DEMO_KIND_NAMES[kind]} (démonstration) – {commune.name}",
                    commune=commune,
                    latitude=commune.latitude,
                    longitude=commune.longitude,
                    location_is_approximate=True,
                    publics=[str(p) for p in publics],
                    schemes=[str(s) for s in schemes],
                )
            )
    with transaction.atomic():
        Actor.objects.filter(source=DEMO_SOURCE).delete()
        Actor.objects.bulk_create(actors)
    return len(actors)
