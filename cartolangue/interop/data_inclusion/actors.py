"""Support actors → data·inclusion v1 structures and services (issue #22), a pair of files beside the courses'.

Decisions (docs/data-inclusion-acteurs.md lists the mapping for users of the files):
- The actors go to their own pair of files, `acteurs/structures.json` and `acteurs/services.json`: data·inclusion
  already collects several of their primary sources (France Travail, les emplois de l'inclusion for SIAE, France
  Services), so a consumer takes the pair or leaves it, and the courses' files keep holding courses only (our
  own data·inclusion reader turns every service of those into a course).
- One structure per actor, with the réseau porteur its kind belongs to where the schema has one.
- One service per scheme the actor runs, when the schema has a thématique that says what the scheme is
  (`SCHEME_THEMATIQUES`); a scheme without one (the SIAE parcours: the schema has no thématique for work in an
  insertion structure) gives no service, only the structure. Every service is an `accompagnement`.
- `publics` from the actor's publics, folded into data·inclusion's as for the courses; `zone_eligibilite` is the
  list of communes covered when the source gave it, else nothing (a radius is not a list of communes).
- The opening hours are free text in our sources, not OpenStreetMap's syntax that `horaires_accueil` expects:
  they go into the structure's description.
- Ids are `carto-langue--acteur:<our source>:<id in that source>`; demo actors only in the demonstration edition.
"""

from collections.abc import Iterator

from data_inclusion.schema.v1 import (
    ModeAccueil,
    ModeMobilisation,
    PersonneMobilisatrice,
    Public,
    ReseauPorteur,
    Service,
    Structure,
    Thematique,
    TypeService,
)
from django.db.models import Prefetch, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from cartolangue.actors.enums import ActorKind, Scheme
from cartolangue.actors.models import Actor
from cartolangue.geo.models import Commune
from cartolangue.interop.data_inclusion.mapping import (
    DESCRIPTION_MAX,
    DI_SOURCE,
    detail_url,
    di_date,
    di_email,
    di_name,
    di_phone,
    joined,
)
from cartolangue.interop.data_inclusion.writer import ITERATOR_CHUNK, ExportReport, validated
from cartolangue.interop.opendata.dictionary import label_of
from cartolangue.offers import enums
from cartolangue.offers.models import DEMO_SOURCE

T = Thematique
# What each scheme is in data·inclusion's thématiques; a scheme absent from this table gives no service.
SCHEME_THEMATIQUES: dict[str, tuple[Thematique, ...]] = {
    Scheme.CEJ: (
        T.CHOISIR_UN_METIER__CONFIRMER_SON_CHOIX_DE_METIER,
        T.PREPARER_SA_CANDIDATURE__ORGANISER_SES_DEMARCHES_DE_RECHERCHE_DEMPLOI,
        T.SE_FORMER__TROUVER_SA_FORMATION,
    ),
    Scheme.PLIE: (T.PREPARER_SA_CANDIDATURE__ORGANISER_SES_DEMARCHES_DE_RECHERCHE_DEMPLOI,),
    Scheme.AGIR: (T.DIFFICULTES_ADMINISTRATIVES_OU_JURIDIQUES__BENEFICIER_DUNE_MESURE_DACCOMPAGNEMENT_ADAPTE,),
    Scheme.CIR: (T.DIFFICULTES_ADMINISTRATIVES_OU_JURIDIQUES__ACCOMPAGNEMENT_POUR_LACCES_A_LA_CITOYENNETE,),
    Scheme.FUNDING: (T.SE_FORMER__TROUVER_SA_FORMATION,),
    Scheme.JOB_SEARCH: (
        T.PREPARER_SA_CANDIDATURE__ORGANISER_SES_DEMARCHES_DE_RECHERCHE_DEMPLOI,
        T.TROUVER_UN_EMPLOI__REPONDRE_A_DES_OFFRES_DEMPLOI,
    ),
    Scheme.RIGHTS: (
        T.DIFFICULTES_ADMINISTRATIVES_OU_JURIDIQUES__ACCOMPAGNEMENT_AUX_DEMARCHES_ADMINISTRATIVES,
        T.DIFFICULTES_ADMINISTRATIVES_OU_JURIDIQUES__ACCOMPAGNEMENT_POUR_LACCES_AUX_DROITS,
    ),
    Scheme.DIGITAL: (T.NUMERIQUE__ACCEDER_A_DES_SERVICES_EN_LIGNE,),
    Scheme.LEGAL: (T.DIFFICULTES_ADMINISTRATIVES_OU_JURIDIQUES__ACCOMPAGNEMENT_POUR_LACCES_AUX_DROITS,),
}
R = ReseauPorteur
KIND_RESEAUX: dict[str, ReseauPorteur] = {
    ActorKind.MISSION_LOCALE: R.MISSION_LOCALE,
    ActorKind.FRANCE_TRAVAIL: R.FRANCE_TRAVAIL,
    ActorKind.CCAS: R.CCAS_CIAS,
    ActorKind.FRANCE_SERVICES: R.FRANCE_SERVICE,
    ActorKind.PLIE: R.PLIE,
    ActorKind.CAP_EMPLOI: R.CAP_EMPLOI_RESEAU_CHEOPS,
    ActorKind.SIAE_ACI: R.ACI,
    ActorKind.SIAE_EI: R.EI,
    ActorKind.SIAE_ETTI: R.ETTI,
    ActorKind.SIAE_AI: R.AI,
    ActorKind.SIAE_EITI: R.EITI,
    ActorKind.CIDFF: R.CIDFF,
    ActorKind.RIGHTS: R.POINTS_JUSTICE,
}


def actors_for_export(*, include_demo: bool = False) -> QuerySet:
    communes = Commune.objects.defer("geometry").order_by("code_insee")
    queryset = (
        Actor.objects.select_related("commune")
        .defer("commune__geometry")
        .prefetch_related(Prefetch("covered_communes", queryset=communes))
        .order_by("pk")
    )
    return queryset if include_demo else queryset.exclude(source=DEMO_SOURCE)


def actor_di_id(actor: Actor) -> str:
    return f"{DI_SOURCE}--acteur:{actor.source}:{actor.source_id}"


def _address(item: dict, actor: Actor) -> None:
    item.update(
        {
            "adresse": actor.address or None,
            "code_postal": actor.post_code or None,
            "commune": actor.commune.name,
            "code_insee": actor.commune.code_insee,
            "latitude": None if actor.location_is_approximate else round(actor.latitude, 6),
            "longitude": None if actor.location_is_approximate else round(actor.longitude, 6),
        }
    )


def _structure_description(actor: Actor) -> str:
    lines = [_("Type d'acteur : %(value)s") % {"value": label_of(ActorKind, actor.kind)}]
    if actor.publics:
        lines.append(
            _("Publics : %(values)s") % {"values": joined(label_of(enums.Audience, p) for p in actor.publics)}
        )
    if actor.schemes:
        lines.append(_("Dispositifs : %(values)s") % {"values": joined(label_of(Scheme, s) for s in actor.schemes)})
    text = "\n".join(f"- {line}" for line in lines)
    if actor.opening_hours.strip():
        text += "\n\n## " + _("Horaires d'ouverture") + "\n\n" + actor.opening_hours.strip()
    return text[:DESCRIPTION_MAX]


def actor_structure_item(actor: Actor, *, site_url: str | None = None) -> dict:
    """One actor as a data·inclusion v1 structure (a plain dict)."""
    reseau = KIND_RESEAUX.get(actor.kind)
    item = {
        "source": DI_SOURCE,
        "id": actor_di_id(actor),
        "nom": di_name(actor.name, label_of(ActorKind, actor.kind)),
        "date_maj": di_date(actor.updated_at),
        "description": _structure_description(actor),
        "lien_source": detail_url(site_url, "actors:detail", actor.pk),
        "siret": actor.siret or None,
        "telephone": di_phone(actor.phone),
        "courriel": di_email(actor.email),
        "site_web": actor.website or None,
        "reseaux_porteurs": [reseau.value] if reseau else None,
    }
    _address(item, actor)
    return item


def _publics(actor: Actor) -> list[str] | None:
    publics = {str(enums.AUDIENCE_TO_DI_PUBLIC.get(p, p)) for p in actor.publics}
    if not publics:
        return None
    if Public.TOUS_PUBLICS.value in publics:
        return [Public.TOUS_PUBLICS.value]
    return sorted(publics)


def actor_service_items(actor: Actor, *, site_url: str | None = None) -> list[dict]:
    """One data·inclusion v1 service per scheme of the actor that has a thématique (plain dicts)."""
    phone, email = di_phone(actor.phone), di_email(actor.email)
    modes_mobilisation = sorted(
        ([ModeMobilisation.TELEPHONER.value] if phone else [])
        + ([ModeMobilisation.ENVOYER_UN_COURRIEL.value] if email else [])
        + ([ModeMobilisation.SE_PRESENTER.value] if actor.address else [])
    )
    covered = [commune.code_insee for commune in actor.covered_communes.all()]
    items = []
    for scheme in actor.schemes:
        themes = SCHEME_THEMATIQUES.get(scheme)
        if not themes:
            continue
        scheme_label = label_of(Scheme, scheme) or scheme
        item = {
            "source": DI_SOURCE,
            "structure_id": actor_di_id(actor),
            "id": f"{actor_di_id(actor)}:{scheme}",
            "nom": di_name(scheme_label, scheme),
            "description": _("%(scheme)s, par %(actor)s (%(kind)s).")
            % {"scheme": scheme_label, "actor": actor.name, "kind": label_of(ActorKind, actor.kind)},
            "lien_source": detail_url(site_url, "actors:detail", actor.pk),
            "date_maj": di_date(actor.updated_at),
            "type": TypeService.ACCOMPAGNEMENT.value,
            "thematiques": sorted({theme.value for theme in themes}),
            "publics": _publics(actor),
            "telephone": phone,
            "courriel": email,
            "modes_accueil": [ModeAccueil.EN_PRESENTIEL.value],
            "modes_mobilisation": modes_mobilisation or None,
            "mobilisable_par": sorted(
                [PersonneMobilisatrice.PROFESSIONNELS.value, PersonneMobilisatrice.USAGERS.value]
            ),
            "zone_eligibilite": covered or None,
        }
        _address(item, actor)
        items.append(item)
    return items


def iter_actor_structures(
    *, include_demo: bool = False, site_url: str | None = None, report: ExportReport | None = None
) -> Iterator[dict]:
    report = report if report is not None else ExportReport()
    for actor in actors_for_export(include_demo=include_demo).iterator(chunk_size=ITERATOR_CHUNK):
        with translation.override("fr"):
            item = actor_structure_item(actor, site_url=site_url)
        yield from validated([item], Structure, report)


def iter_actor_services(
    *, include_demo: bool = False, site_url: str | None = None, report: ExportReport | None = None
) -> Iterator[dict]:
    report = report if report is not None else ExportReport()
    for actor in actors_for_export(include_demo=include_demo).iterator(chunk_size=ITERATOR_CHUNK):
        with translation.override("fr"):
            items = actor_service_items(actor, site_url=site_url)
        yield from validated(items, Service, report)
