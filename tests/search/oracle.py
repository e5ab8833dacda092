"""The search engine's documented semantics, read plainly: a Python filter, sort and facet count over every
course loaded as ORM objects, with no numpy and no code shared with the engine. The engine's tests check the
index (list, map, facets, pages, distances, next sessions) against it."""

import calendar
import datetime
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone

from cartolangue.geo.distance import haversine_km
from cartolangue.geo.models import ZoneMembership
from cartolangue.offers import enums
from cartolangue.offers.models import DEMO_SOURCE, Course
from cartolangue.search.params import NO_LEVEL, WEEKDAYS, parse_course_query

LEVELS = {lvl.label: int(lvl) for lvl in enums.CecrlLevel}
FACET_FILTER = {"jour": "horaire", "creneau": "horaire"}  # facets of the one day-and-time-slot filter


@dataclass
class Row:
    pk: int
    text: str
    lat: float
    lon: float
    commune_id: int
    departement: str
    zones: set
    course_type: str
    parcours: str
    modality: str
    target: int | None
    oral: int | None
    written: int | None
    schooling: set
    exclusive: set
    slots: list
    childcare: bool | None
    free: bool | None
    funders: set
    places: bool | None
    sessions: list
    certifications: set
    updated_at: datetime.datetime = None
    demo: bool = False
    confirmed: datetime.date = None  # verified_on, else the local date of updated_at


def load_rows() -> list[Row]:
    zones = {}
    for commune_id, code in ZoneMembership.objects.values_list("commune_id", "zone__code"):
        zones.setdefault(commune_id, set()).add(code)
    rows = []
    qs = (
        Course.objects.public()
        .select_related("place__commune__departement")
        .prefetch_related("time_slots", "audiences", "schooling", "funders", "sessions", "certifications")
    )
    for c in qs:
        rows.append(
            Row(
                pk=c.pk,
                text=c.search_text,
                lat=c.place.latitude,
                lon=c.place.longitude,
                commune_id=c.place.commune_id,
                departement=c.place.commune.departement.code,
                zones=zones.get(c.place.commune_id, set()),
                course_type=c.course_type,
                parcours=c.parcours,
                modality=c.modality,
                target=c.cecrl_level_target,
                oral=c.entry_level_oral,
                written=c.entry_level_written,
                schooling={s.schooling for s in c.schooling.all()},
                exclusive={a.audience for a in c.audiences.all() if a.mode == enums.AudienceMode.EXCLUSIVE},
                slots=[(s.weekday, s.starts_at) for s in c.time_slots.all()],
                childcare=c.childcare,
                free=c.is_free,
                funders={f.funder for f in c.funders.all()},
                places=c.places_available,
                sessions=[(s.starts_on, s.ends_on) for s in c.sessions.all()],
                certifications={k.code for k in c.certifications.all()},
                updated_at=c.updated_at,
                demo=c.source == DEMO_SOURCE,
                confirmed=c.verified_on or timezone.localtime(c.updated_at).date(),
            )
        )
    return rows


def fold(word):
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if unicodedata.category(c) != "Mn")


def _slot_ok(weekday, start, days, slots):
    if days and weekday not in days:
        return False
    if not slots:
        return True
    noon, evening = datetime.time(12), datetime.time(18)
    return any(
        (s == "matin" and weekday < 5 and start < noon)
        or (s == "apres-midi" and weekday < 5 and noon <= start < evening)
        or (s == "soir" and weekday < 5 and start >= evening)
        or (s == "week-end" and weekday >= 5)
        for s in slots
    )


def _level_ok(levels, entry, target):
    for level in levels:
        if level == NO_LEVEL:
            if entry is None:
                return True
        else:
            n = LEVELS[level]
            if (entry is None or entry <= n) and (target is None or target > n):
                return True
    return False


def centre_of(query):
    """(points, radius, communes) of a parsed query's location, or None."""
    if query.location is None:
        return None
    location = query.location
    points = [(c.latitude, c.longitude) for c in location.centres]
    return points, location.radius_km, {c.commune.pk for c in location.centres if c.commune}


def distance_km(row, centre):
    points, _km, _communes = centre
    return min(haversine_km(lat, lon, row.lat, row.lon) for lat, lon in points)


def checks(p, centre, today):
    """Parameter name → predicate on a Row, mirroring the documented semantics."""
    g = p.getlist
    found = {}
    if g("q"):
        words = [fold(w) for v in g("q") for w in v.split()]
        found["q"] = lambda r: all(w in r.text for w in words)
    if g("departement"):
        found["departement"] = lambda r: r.departement in g("departement")
    if g("zone"):
        codes = {z.split(":")[1] for z in g("zone")}
        found["zone"] = lambda r: bool(r.zones & codes)
    if g("type"):
        found["type"] = lambda r: r.course_type in g("type")
    if g("parcours"):
        found["parcours"] = lambda r: r.parcours in g("parcours")
    if g("modalite"):
        found["modalite"] = lambda r: r.modality in g("modalite")
    if g("niveau_entree_oral"):
        found["niveau_entree_oral"] = lambda r: _level_ok(g("niveau_entree_oral"), r.oral, r.target)
    if g("niveau_entree_ecrit"):
        found["niveau_entree_ecrit"] = lambda r: _level_ok(g("niveau_entree_ecrit"), r.written, r.target)
    if g("niveau_vise"):
        found["niveau_vise"] = lambda r: r.target in {LEVELS[v] for v in g("niveau_vise")}
    if g("scolarisation"):
        found["scolarisation"] = lambda r: not r.schooling or bool(r.schooling & set(g("scolarisation")))
    if g("public"):
        found["public"] = lambda r: not r.exclusive or bool(r.exclusive & set(g("public")))
    if g("jour") or g("creneau"):
        days = {int(WEEKDAYS[d]) for d in g("jour")}
        found["horaire"] = lambda r: any(_slot_ok(w, s, days, g("creneau")) for w, s in r.slots)
    for name, attribute in (("garde_enfants", "childcare"), ("places", "places")):
        if g(name):  # "non": false or unknown
            wanted = g(name)[0] == "oui"
            found[name] = lambda r, attribute=attribute, wanted=wanted: (getattr(r, attribute) is True) == wanted
    if g("gratuit"):  # "non": stated as paying, not unknown
        wanted = g("gratuit")[0] == "oui"
        found["gratuit"] = lambda r: r.free is wanted
    if g("financeur"):
        found["financeur"] = lambda r: bool(r.funders & set(g("financeur")))
    if g("debut_avant"):
        limit = max(datetime.date.fromisoformat(d) for d in g("debut_avant"))
        found["debut_avant"] = lambda r: any(s and s <= limit and (e is None or e >= today) for s, e in r.sessions)
    if g("certification"):
        found["certification"] = lambda r: bool(r.certifications & set(g("certification")))
    if centre:
        _points, km, communes = centre
        if km == 0 and communes:  # rayon=0: in the communes themselves
            found["_location"] = lambda r: r.commune_id in communes
        else:
            found["_location"] = lambda r: distance_km(r, centre) <= km
    return found


def matching(rows, found, skip=()):
    return [r for r in rows if all(check(r) for name, check in found.items() if name not in skip)]


def next_session(row, today):
    return min((s for s, _e in row.sessions if s and s >= today), default=None)


def stale(row, today):
    """Not confirmed since the same day STALE_AFTER_MONTHS months ago (the last day of a shorter month)."""
    year, month = today.year, today.month - settings.STALE_AFTER_MONTHS
    while month < 1:
        year, month = year - 1, month + 12
    limit = datetime.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
    return row.confirmed < limit


def ordered(rows, query, centre, today):
    """The rows in the engine's documented order: by distance with a place (unless another sort is asked),
    by next session, or most recently updated first with the demo's fictional offer last; at equal key,
    fresh before "à vérifier"; ties by id."""
    sort = query.effective_sort
    if sort == "distance" and centre:
        return sorted(rows, key=lambda r: (distance_km(r, centre), stale(r, today), r.pk))
    if sort == "prochaine-session":
        far = datetime.date.max
        return sorted(rows, key=lambda r: (next_session(r, today) or far, stale(r, today), r.pk))
    by_id = sorted(rows, key=lambda r: r.pk)
    by_update = sorted(by_id, key=lambda r: r.updated_at, reverse=True)
    return sorted(by_update, key=lambda r: (r.demo, stale(r, today)))


@dataclass
class Expected:
    rows: list  # matching rows, in order
    params: QueryDict
    centre: object
    found: dict = field(default_factory=dict)

    @property
    def ids(self):
        return [r.pk for r in self.rows]


def expected(all_rows, querystring, today):
    params = QueryDict(querystring)
    query = parse_course_query(params, strict=True)
    centre = centre_of(query)
    found = checks(params, centre, today)
    return Expected(ordered(matching(all_rows, found), query, centre, today), params, centre, found)


def facet_errors(all_rows, want, facets, today):
    """The facet counts of the engine that differ from counting rows: [(facet, value, engine, expected)]."""
    errors = []
    for name, values in facets.items():
        others = matching(all_rows, want.found, skip={FACET_FILTER.get(name, name)})
        for facet in values:
            probe = QueryDict(mutable=True)
            probe.setlist(name, [facet.value])
            if name in ("jour", "creneau"):
                # The facet keeps the other half of the slot condition.
                other = "creneau" if name == "jour" else "jour"
                probe.setlist(other, want.params.getlist(other))
            check = checks(probe, None, today)
            count = sum(1 for r in others if all(c(r) for c in check.values()))
            if facet.count != count:
                errors.append((name, facet.value, facet.count, count))
    return errors
