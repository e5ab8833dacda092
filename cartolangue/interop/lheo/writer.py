"""Courses → LHEO 2.3 XML, written incrementally (lxml.etree.xmlfile): one `formation` per course, each with
one `action` (the course) and its `session`s, valid against the official XSD (checked in the tests).

What LHEO cannot say travels in `<extras info="carto-langue">` (docs/lheo-extras.md), which the reader reads
back, so Carto-Langue → LHEO → Carto-Langue gives the same courses field for field.
"""

import html
from typing import BinaryIO

from django.db.models import Prefetch
from django.utils import timezone
from lxml import etree

from cartolangue.interop.lheo import conventions as c
from cartolangue.offers import enums
from cartolangue.offers.models import Course, CourseQuerySet, Session

NS = c.NS23
ZERO_SIRET = "0" * 14  # LHEO requires a SIRET: all zeros when the structure has none (read back as empty)
UNKNOWN_NDA = "0" * 11  # LHEO requires a numéro de déclaration d'activité, which we do not hold


def _el(parent, name, text=None, **attrs):
    node = etree.SubElement(parent, f"{{{NS}}}{name}", {k.replace("_", "-"): str(v) for k, v in attrs.items()})
    if text is not None:
        node.text = str(text)
    return node


class _Extras:
    """The carto-langue extras of one element, and the exact value of any text LHEO has to truncate."""

    def __init__(self):
        self.items = []

    def add(self, info, value, tag=None):
        if value is None or value == "" or value == []:
            return
        if isinstance(value, bool):
            value = "1" if value else "0"
        self.items.append((info, str(value), tag))

    def fit(self, info, value, max_length):
        """The value cut to LHEO's limit; the whole value is kept in the extras when it is cut."""
        value = value or ""
        if len(value) <= max_length:
            return value
        self.add(info, value)
        return value[: max_length - 1].rstrip() + "…"

    def write(self, parent):
        if not self.items:
            return
        extras = _el(parent, "extras", info=c.EXTRAS_INFO, numero=c.EXTRAS_VERSION)
        for info, value, tag in self.items:
            attrs = {"info": info}
            if tag:
                attrs["tag"] = tag
            _el(extras, "extra", value, **attrs)


def _stamp(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _attrs(obj, key):
    attrs = {"numero": key}
    if obj.updated_at:
        attrs["datemaj"] = timezone.localtime(obj.updated_at).strftime("%Y%m%d")
        attrs["horodatage_modification"] = _stamp(obj.updated_at)
    return attrs


def _key(obj):
    return f"{obj.source}:{obj.source_id}"


def _coordonnees(parent, extras, *, name="", person="", lines=(), address=None, phone="", email="", web=""):
    coordonnees = _el(parent, "coordonnees")
    if person:
        _el(coordonnees, "nom", extras.fit("contact", person, 50))
    for line in lines:
        _el(coordonnees, "ligne", line)
    if address is not None:
        _adresse(coordonnees, extras, address, name)
    if phone:
        _el(_el(coordonnees, "telfixe"), "numtel", extras.fit("telephone", phone, 25))
    if email:
        _el(coordonnees, "courriel", email)
    if web:
        _el(_el(coordonnees, "web"), "urlweb", web)
    return coordonnees


def _adresse(parent, extras, place, name=""):
    adresse = _el(parent, "adresse", numero=_key(place))
    if name:
        _el(adresse, "denomination", extras.fit("nom-lieu", name, 255))
    _el(adresse, "ligne", extras.fit("adresse", place.address, 50))
    if place.address_complement:
        _el(adresse, "ligne", extras.fit("complement-adresse", place.address_complement, 50))
    _el(adresse, "codepostal", place.post_code)
    _el(adresse, "ville", extras.fit("ville", place.commune.name, 50))
    _el(
        adresse,
        "departement",
        place.commune.code_insee[:3] if place.commune.code_insee.startswith("97") else place.commune.code_insee[:2],
    )
    _el(adresse, "code-INSEE-commune", place.commune.code_insee)
    _el(adresse, "pays", "FR")
    geo = _el(adresse, "geolocalisation")
    _el(geo, "latitude", repr(place.latitude))
    _el(geo, "longitude", repr(place.longitude))
    return adresse


def _rythme(course):
    slots = ", ".join(
        f"{c.WEEKDAYS[s.weekday]} {s.starts_at:%H:%M}-{s.ends_at:%H:%M}" for s in course.time_slots.all()
    )
    parts = [slots] if slots else []
    if course.hours_per_week is not None:
        parts.append(f"{course.hours_per_week} h par semaine")
    return "; ".join(parts) or "-"


def course_formation(course: Course) -> etree._Element:
    """The `formation` element of one course (prefetched as in `courses_for_lheo`)."""
    structure, place = course.structure, course.place
    attrs = {k.replace("_", "-"): v for k, v in _attrs(course, "F-" + _key(course)).items()}
    formation = etree.Element(f"{{{NS}}}formation", attrs, nsmap={None: NS})
    domaine = _el(formation, "domaine-formation")
    formacode = course.formacode or c.FORMACODE_FROM_COURSE_TYPE.get(course.course_type, c.DEFAULT_FORMACODE)
    _el(domaine, "code-FORMACODE", formacode, ref="V14", tag="principal")
    extras = _Extras()  # the action's: where the course's own detail goes
    _el(formation, "intitule-formation", extras.fit("intitule", course.name, 255))
    # LHEO's rich-text fields are HTML: our plain text is escaped so that "<" or "&" survive the trip.
    description = html.escape(course.description, quote=False)
    if len(description) > 3000:
        extras.add("presentation", course.description)
        description = description[:2990].rsplit("&", 1)[0] if "&" in description[2980:2990] else description[:2990]
        description = description.rstrip() + "…"
    _el(formation, "objectif-formation", description or "-")
    _el(formation, "resultats-attendus", c.LEVEL_NAMES.get(course.cecrl_level_target, "-"))
    _el(formation, "contenu-formation", "-")
    _el(formation, "certifiante", "1" if course.rs_code or course.rncp_code else "0")
    contact_extras = _Extras()
    contact = _el(formation, "contact-formation")
    shown = course.public_contact  # never a non-public person's details (ADR 0019)
    # dict-type-contact: 3 "Référent pédagogique", 4 "Accueil" (the reception desk, read back as a public contact
    # point: what is written here is public already).
    _el(contact, "type-contact", "3" if course.contact_role == enums.ContactRole.REFERENT else "4")
    _coordonnees(
        contact,
        contact_extras,
        person=shown.name if shown.is_person else "",
        phone=shown.phone,
        email=shown.email,
    )
    contact_extras.write(contact)
    _el(formation, "parcours-de-formation", "1")
    _el(formation, "code-niveau-entree", "0")
    if course.rs_code or course.rncp_code:
        certification = _el(formation, "certification")
        if course.rncp_code:
            _el(certification, "code-RNCP", course.rncp_code)
        if course.rs_code:
            _el(certification, "code-RS", course.rs_code)

    action = _el(formation, "action", **_attrs(course, _key(course)))
    _el(action, "rythme-formation", extras.fit("rythme", _rythme(course), 3000))
    codes = []
    for audience in course.audiences.all():
        code = c.PUBLIC_CODE_FROM_AUDIENCE.get(audience.audience)
        if code and code not in codes:
            codes.append(code)
    for code in codes[:10] or [c.EVERYONE_PUBLIC_CODE]:
        _el(action, "code-public-vise", code, ref="V14")
    _el(action, "niveau-entree-obligatoire", "1" if course.entry_level_oral or course.entry_level_written else "0")
    _el(action, "modalites-alternance", "-")
    _el(action, "modalites-enseignement", c.MODALITY_TO_LHEO[course.modality])
    _el(action, "conditions-specifiques", "-")
    _el(action, "prise-en-charge-frais-possible", "1" if course.funders.all() else "0")
    lieu = _el(action, "lieu-de-formation")
    place_extras = _Extras()
    _coordonnees(lieu, place_extras, address=place, name=place.name)
    place_extras.add("acces-fauteuil", place.step_free_access)
    place_extras.add("localisation-approximative", place.location_is_approximate or None)
    place_extras.write(lieu)
    _el(action, "modalites-entrees-sorties", "1" if course.registration_mode == enums.RegistrationMode.OPEN else "0")
    if course.source_url:
        _el(_el(action, "url-action"), "urlweb", course.source_url)
    sessions: list[Session | None] = list(course.sessions.all()) or [None]
    for session in sessions:
        _session(action, course, session)
    if place.step_free_access is not None:
        _el(action, "acces-handicapes", "oui" if place.step_free_access else "non")
    if course.cost_details:
        _el(action, "frais-restants", extras.fit("precisions-cout", course.cost_details, 200))
    if course.is_free:
        _el(action, "prix-total-TTC", "0")
    elif course.cost_amount is not None:
        _el(action, "prix-total-TTC", f"{course.cost_amount:.2f}")
    if course.total_hours is not None:
        _el(action, "nombre-heures-total", course.total_hours)
    for funder in course.funders.all():
        code = enums.LHEO_FUNDER_CODES.get(funder.funder)
        if code is not None:
            _el(_el(action, "organisme-financeur"), "code-financeur", code)
        else:
            extras.add("financeur", funder.funder)
    extras.add("type-cours", course.course_type)
    extras.add("parcours", course.parcours)
    extras.add("niveau-vise", c.LEVEL_NAMES.get(course.cecrl_level_target))
    extras.add("niveau-entree-oral", c.LEVEL_NAMES.get(course.entry_level_oral))
    extras.add("niveau-entree-ecrit", c.LEVEL_NAMES.get(course.entry_level_written))
    for schooling in course.schooling.all():
        extras.add("scolarisation", schooling.schooling)
    for audience in course.audiences.all():
        extras.add("public", audience.audience, tag=audience.mode)
    for slot in course.time_slots.all():
        extras.add("creneau", f"{slot.starts_at:%H:%M}-{slot.ends_at:%H:%M}", tag=c.WEEKDAYS[slot.weekday])
    extras.add("heures-par-semaine", course.hours_per_week)
    extras.add("gratuit", course.is_free)
    extras.add("cout", f"{course.cost_amount:.2f}" if course.cost_amount is not None else None)
    extras.add("garde-enfants", course.childcare)
    extras.add("inscription", course.registration_mode)
    extras.add("places-disponibles", course.places_available)
    for certification in course.certifications.all():
        extras.add("certification", certification.code)
    extras.items.append(("formacode", course.formacode, None))  # even empty: the Formacode above is then ours
    extras.add("verifie-le", course.verified_on.strftime("%Y%m%d") if course.verified_on else None)
    extras.write(action)

    stamp = {"horodatage_modification": _stamp(structure.updated_at)} if structure.updated_at else {}
    responsable = _el(formation, "organisme-formation-responsable", numero=_key(structure), **stamp)
    structure_extras = _Extras()
    _el(responsable, "numero-activite", UNKNOWN_NDA)
    _el(_el(responsable, "SIRET-organisme-formation"), "SIRET", structure.siret or ZERO_SIRET)
    name = structure_extras.fit("nom", structure.name, 250)
    _el(responsable, "nom-organisme", name)
    _el(responsable, "raison-sociale", name)
    _coordonnees(
        _el(responsable, "coordonnees-organisme"),
        structure_extras,
        phone=structure.phone,
        email=structure.email,
        web=structure.website,
    )
    _coordonnees(_el(responsable, "contact-organisme"), structure_extras, phone=structure.phone, email=structure.email)
    structure_extras.add("type-structure", structure.kind)
    structure_extras.add("sigle", structure.acronym)
    structure_extras.add("presentation", structure.description)
    structure_extras.add("site", structure.website)
    structure_extras.add("adresse-source", structure.source_url)
    for network in structure.networks:
        structure_extras.add("reseau", network)
    structure_extras.write(responsable)
    return formation


def _session(action, course, session):
    node = _el(action, "session", **(_attrs(session, _key(session)) if session else {"numero": f"{_key(course)}:0"}))
    periode = _el(node, "periode")
    _el(periode, "debut", c.format_lheo_date(session.starts_on if session else None))
    _el(periode, "fin", c.format_lheo_date(session.ends_on if session else None, end=True))
    _adresse(_el(node, "adresse-inscription"), _Extras(), course.place)
    extras = _Extras()
    if session is None:
        extras.add("sans-session", True)  # LHEO requires a session; this one stands for "no dates yet"
    else:
        if session.recruitment_status:
            _el(node, "etat-recrutement", c.RECRUITMENT_TO_LHEO[session.recruitment_status])
            extras.add("etat-recrutement", session.recruitment_status)
        extras.add("places", session.seats)
        extras.add("places-restantes", session.seats_left)
    extras.write(node)


def courses_for_lheo(queryset: CourseQuerySet | None = None) -> CourseQuerySet:
    queryset = Course.objects.public() if queryset is None else queryset
    return (
        queryset.for_display()
        .prefetch_related(Prefetch("sessions", queryset=Session.objects.order_by("starts_on", "source_id")))
        .order_by("pk")
    )


def write_lheo(out: BinaryIO, queryset: CourseQuerySet | None = None, chunk_size: int = 500) -> int:
    """Write the courses (all by default) as an LHEO 2.3 document into a binary file-like `out`; returns the
    number of courses written."""
    count = 0
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{NS}}}lheo", nsmap={None: NS}):
            with xf.element(f"{{{NS}}}offres"):
                for course in courses_for_lheo(queryset).iterator(chunk_size=chunk_size):
                    xf.write(course_formation(course), pretty_print=True)
                    count += 1
    return count
