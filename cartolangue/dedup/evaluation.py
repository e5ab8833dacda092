"""A labelled evaluation set for the matcher (issue #23), and its figures: precision and recall of *same*, the
share sent to review.

The set imitates what the sources do to one offer: a course published by DOKELIO (LHEO) or Réseau Alpha comes
again through data·inclusion or a third source with its title abbreviated ("Français langue étrangère" →
"FLE", "niveau" → "niv."), its accents or case lost, its structure spelled otherwise, its point moved by
another geocoder, its first session shifted, and what that source cannot carry lost (data·inclusion has no
level or timetable field: see interop/data_inclusion/reader.py), its type unread ("autre"). Around them, the
hard negatives a structure really has: the same workshop at another level or on another day, in another source.
Deterministic for a seed; nothing touches the database.
"""

import datetime
import math
import random
import unicodedata
from dataclasses import dataclass, replace

from cartolangue.dedup.matching import DIFFERENT, MAYBE, SAME, Offer, match_offers

TYPES = ["fle", "asl", "alpha", "post-alpha", "fos", "cir", "oepre", "autre"]
TYPE_TITLES = {
    "fle": ["Français langue étrangère", "Cours de français", "Français pour adultes"],
    "asl": ["Atelier sociolinguistique", "ASL découverte de la ville", "Atelier de français au quotidien"],
    "alpha": ["Alphabétisation", "Apprendre à lire et écrire"],
    "post-alpha": ["Post-alphabétisation", "Lire et écrire au quotidien"],
    "fos": ["Français à visée professionnelle", "Français des métiers du service"],
    "cir": ["Formation linguistique du CIR", "Parcours CIR – français"],
    "oepre": ["Ouvrir l'école aux parents", "OEPRE – atelier parents"],
    "autre": ["Conversation en français", "Café des langues"],
}
ABBREVIATIONS = [
    ("Français langue étrangère", "FLE"),
    ("Atelier sociolinguistique", "ASL"),
    ("niveau", "niv."),
    ("Association", "Asso"),
    ("Alphabétisation", "Alpha"),
    ("Formation linguistique", "Form. ling."),
]
LEVELS = [10, 20, 30, 40, 50]  # A1.1 … B2, as CecrlLevel
LEVEL_NAMES = {10: "A1.1", 20: "A1", 30: "A2", 40: "B1", 50: "B2"}
STRUCTURE_WORDS = ["Savoirs", "Solidarité", "Horizons", "Passerelles", "Lire Ensemble", "Le Lien", "Accueil", "Avenir"]
STRUCTURE_KINDS = ["Association", "Centre social", "Maison de quartier", "Espace", "Foyer"]
STARTS = [9 * 60, 9 * 60 + 30, 10 * 60, 14 * 60, 14 * 60 + 30, 18 * 60, 18 * 60 + 30]
THIRD_SOURCES = {"lheo": "reseau-alpha", "reseau-alpha": "lheo"}


@dataclass(frozen=True)
class Figures:
    offers: int
    true_pairs: int
    same: int
    maybe: int
    precision: float
    recall: float
    recall_with_review: float
    review_share: float


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.next_id = 1
        self.next_structure = 1

    def id(self) -> int:
        self.next_id += 1
        return self.next_id

    def structure(self, commune: int) -> tuple[int, str, str]:
        rng = self.rng
        self.next_structure += 1
        name = f"{rng.choice(STRUCTURE_KINDS)} {rng.choice(STRUCTURE_WORDS)} {commune}"
        siret = f"{rng.randrange(10**13, 10**14)}" if rng.random() < 0.5 else ""
        return self.next_structure, name, siret

    def course(self, source, commune, structure, point, course_type, level, slots) -> Offer:
        rng = self.rng
        title = rng.choice(TYPE_TITLES[course_type])
        if level is not None:
            title += f" – niveau {LEVEL_NAMES[level]}"
        first = (
            datetime.date(2026, 9, 1) + datetime.timedelta(days=rng.randrange(0, 120)) if rng.random() < 0.6 else None
        )
        return Offer(
            id=self.id(),
            source=source,
            commune=commune,
            latitude=point[0],
            longitude=point[1],
            structure=structure[0],
            siret=structure[2],
            structure_name=structure[1],
            title=title,
            course_type=course_type,
            level=level,
            slots=frozenset(slots),
            first_session=first,
        )

    def slots(self) -> frozenset:
        rng = self.rng
        return frozenset((rng.randrange(0, 6), rng.choice(STARTS)) for _i in range(rng.choice([1, 1, 2, 2, 3])))

    def copy(self, offer: Offer, source: str) -> Offer:
        """The same offer as another source gives it."""
        rng = self.rng
        title, name = offer.title, offer.structure_name
        for long, short in ABBREVIATIONS:
            if rng.random() < 0.5:
                title, name = title.replace(long, short), name.replace(long, short)
        if rng.random() < 0.3:
            title, name = _strip_accents(title), _strip_accents(name)
        if rng.random() < 0.2:
            title = title.upper()
        if rng.random() < 0.2:
            name = f"{name} ({offer.commune})"
        moved = rng.uniform(0, 150) if rng.random() < 0.6 else 0.0
        angle = rng.uniform(0, 6.283)
        latitude = offer.latitude + moved * math.cos(angle) / 111_320
        longitude = offer.longitude + moved * math.sin(angle) / 76_000
        lossy = source == "data-inclusion"
        first = offer.first_session
        if first and rng.random() < 0.4:
            first = first + datetime.timedelta(days=rng.randint(-7, 7))
        if rng.random() < 0.2:
            first = None
        return replace(
            offer,
            id=self.id(),
            source=source,
            latitude=latitude,
            longitude=longitude,
            # The same SIRET merges structures at import; without one, the copy has a structure of its own.
            structure=offer.structure if offer.siret or offer.structure is None else -offer.structure,
            structure_name=name,
            title=title,
            course_type="autre" if rng.random() < 0.1 else offer.course_type,
            level=None if lossy and rng.random() < 0.7 else offer.level,
            slots=frozenset() if lossy and rng.random() < 0.7 else offer.slots,
            first_session=None if lossy else first,
        )

    def sibling(self, offer: Offer, source: str, used_levels: set) -> Offer:
        """Another course of the same structure, as another source gives it: another level (one the structure
        does not already teach in that type: else it would be that course), or other days."""
        copy = self.copy(offer, source)
        free = [lv for lv in LEVELS if lv not in used_levels]
        if offer.level is not None and free and (self.rng.random() < 0.5 or not offer.slots):
            level = self.rng.choice(free)
            title = offer.title.replace(LEVEL_NAMES[offer.level], LEVEL_NAMES[level])
            return replace(copy, level=level, title=title)
        days = frozenset(((day + 1) % 6, start) for day, start in offer.slots) or self.slots()
        return replace(copy, slots=days, level=offer.level)


def labelled_offers(courses: int, seed: int = 1) -> tuple[list[Offer], set[tuple[int, int]]]:
    """About `courses` offers over sources, and the set of (lower id, higher id) pairs that are the same offer."""
    gen = _Generator(seed)
    rng = gen.rng
    communes = max(5, courses // 80)
    offers: list[Offer] = []
    truth: set[tuple[int, int]] = set()
    while len(offers) < courses:
        commune = rng.randrange(1, communes + 1)
        centre = (48.7 + commune % 17 * 0.02, 2.0 + commune % 23 * 0.03)
        structure = gen.structure(commune)
        point = (centre[0] + rng.uniform(-0.01, 0.01), centre[1] + rng.uniform(-0.01, 0.01))
        home = "lheo" if rng.random() < 0.6 else "reseau-alpha"
        levels_by_type: dict[str, set] = {}
        for _i in range(rng.choice([1, 2, 3, 4])):
            course_type = rng.choice(TYPES)
            level = rng.choice(LEVELS) if rng.random() < 0.8 else None
            levels_by_type.setdefault(course_type, set()).add(level)
            base = gen.course(home, commune, structure, point, course_type, level, gen.slots())
            copies = [base]
            if rng.random() < 0.5:
                copies.append(gen.copy(base, "data-inclusion"))
                if rng.random() < 0.3:
                    copies.append(gen.copy(base, THIRD_SOURCES[home]))
            offers += copies
            truth |= {(min(a.id, b.id), max(a.id, b.id)) for a in copies for b in copies if a.id < b.id}
            if rng.random() < 0.15:  # a hard negative: the same workshop at another level, or on another day
                other_source = rng.choice(["data-inclusion", THIRD_SOURCES[home]])
                sibling = gen.sibling(base, other_source, levels_by_type[course_type])
                levels_by_type[course_type].add(sibling.level)
                offers.append(sibling)
    return offers, truth


def evaluate(courses: int, seed: int = 1) -> Figures:
    offers, truth = labelled_offers(courses, seed)
    pairs = match_offers(offers)
    same = {(p.first, p.second) for p in pairs if p.verdict == SAME}
    maybe = {(p.first, p.second) for p in pairs if p.verdict == MAYBE}
    found = len(same & truth)
    return Figures(
        offers=len(offers),
        true_pairs=len(truth),
        same=len(same),
        maybe=len(maybe),
        precision=found / len(same) if same else 1.0,
        recall=found / len(truth) if truth else 1.0,
        recall_with_review=len((same | maybe) & truth) / len(truth) if truth else 1.0,
        review_share=len(maybe) / (len(same) + len(maybe)) if same or maybe else 0.0,
    )


__all__ = ["DIFFERENT", "Figures", "evaluate", "labelled_offers"]
