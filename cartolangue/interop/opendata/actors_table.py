"""The open-data table of support actors (`acteurs.csv`, `acteurs.geojson`), declared with the dictionary's own
helpers (dictionary.py imports it into TABLES last, so that this module can use them)."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cartolangue.actors.enums import ActorKind, Scheme
from cartolangue.actors.models import Actor
from cartolangue.interop.opendata.dictionary import (
    Column,
    Table,
    _choice,
    _choices,
    _location,
    _not_demo,
    _point,
    _provenance,
    _text,
    _updated,
)
from cartolangue.offers import enums


def _actors(include_demo: bool) -> QuerySet:
    return (
        Actor.objects.filter(_not_demo(include_demo, "source"))
        .select_related("commune")
        .defer("commune__geometry")
        .order_by("pk")
    )


ACTORS: Table = Table(
    name="acteurs",
    title=_("Acteurs de l'accompagnement"),
    description=_(
        "Les structures qui accompagnent la personne autour de sa formation : Missions Locales, agences France "
        "Travail, Ofii, France Services, SIAE, CIDFF… (sources et dates : colonne « source »)."
    ),
    columns=(
        Column("id", "entier", _("Identifiant Carto-Langue de l'acteur."), lambda o: o.pk),
        *_provenance(),
        *_choice("type", "kind", ActorKind, _("Type d'acteur.")),
        Column("nom", "texte", _("Nom de l'acteur."), lambda o: o.name),
        Column("siret", "texte", _("SIRET, quand la source le donne."), lambda o: _text(o.siret)),
        Column("adresse", "texte", _("Adresse."), lambda o: _text(o.address)),
        Column("telephone", "texte", _("Téléphone d'accueil."), lambda o: _text(o.phone)),
        Column("courriel", "texte", _("Courriel d'accueil."), lambda o: _text(o.email)),
        Column("site_web", "texte", _("Site web."), lambda o: _text(o.website)),
        Column(
            "horaires",
            "texte",
            _("Horaires d'ouverture, tels que la source les donne."),
            lambda o: _text(o.opening_hours),
        ),
        *_choices("publics", lambda o: o.publics, enums.Audience, _("Publics accompagnés.")),
        *_choices("dispositifs", lambda o: o.schemes, Scheme, _("Dispositifs proposés.")),
        Column(
            "rayon_km",
            "entier",
            _("Rayon d'action en km, faute de liste des communes couvertes."),
            lambda o: o.reach_km,
        ),
        Column("date_source", "date", _("Date des données de la source."), lambda o: o.source_date),
        *_location(lambda o: o),
        *_updated(),
    ),
    queryset=_actors,
    geometry=lambda o: _point(o),
)
