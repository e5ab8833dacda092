"""Which courses of different sources are the same offer (issue #23): candidate pairs, a score, a verdict.

A pure function over plain records (`Offer`), so that the same code runs on the database (store.py) and on the
labelled evaluation set (evaluation.py, `bench/dedup.py`). The thresholds and weights are decided in
docs/adr/0024-course-matching.md; the figures that justify them are in docs/bench/.

1. **Blocking**: only courses of two different sources are compared, when held in the same commune within
   `MAX_DISTANCE_M` (cells of that size and their neighbours: a course and its copy name the same address, even
   spelled otherwise) or given by the same structure (merged by SIRET at import: a copy placed elsewhere for want
   of coordinates, or a remote course, is still found).
2. **Incompatible** pairs are *different* whatever else they share: two stated target levels that differ (a
   level a title names counts as stated: "FLE – niveau B1"), two stated weekly timetables with no slot in
   common, two stated first sessions more than `MAX_SESSION_GAP_DAYS` apart, points more than `MAX_DISTANCE_M`
   apart.
3. **Score** in [0, 1]: the weighted mean of the structure (same structure or SIRET: 1, else name
   similarity), the title (rapidfuzz, half partial and half whole, of the folded titles: an exact title beats
   one that only contains it), the place (1 up to 100 m, 0 from `MAX_DISTANCE_M`), the timetable (overlap of
   the slots; unknown on one side: 0.5) and the level and type (stated and equal: 1, unknown on one side: 0.5,
   different: 0). The type is not a hard rule: a source
   without a type field (data·inclusion) has it guessed from the text, and the guess can miss ("CIR" in the
   description of a test preparation).
4. **Verdict**: *same* from `SAME_FROM`, *maybe* from `MAYBE_FROM`, else *different*. One course is one offer in
   each other source: a course with two *same* candidates in one source has them both downgraded to *maybe*
   (two sessions of one workshop told apart only by a timetable one source lacks).
"""

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from cartolangue.geo.distance import project
from cartolangue.offers.enums import CecrlLevel
from cartolangue.text import fold

SAME, MAYBE, DIFFERENT = "same", "maybe", "different"
SAME_FROM = 0.82
MAYBE_FROM = 0.80
MAX_DISTANCE_M = 1000.0
NEAR_M = 100.0
MAX_SESSION_GAP_DAYS = 45
MIN_SLOT_OVERLAP = 0.5  # of the two stated timetables, in (weekday, part of the day)
TIE = 0.05  # a rival candidate this close to a *same* pair makes it ambiguous
UNKNOWN_TYPE = "autre"
STRUCTURE_SCORER = fuzz.token_sort_ratio
WEIGHTS = {"structure": 0.3, "title": 0.25, "place": 0.15, "slots": 0.1, "level": 0.1, "type": 0.1}


@dataclass(frozen=True, slots=True)
class Offer:
    """What the matcher knows of a course."""

    id: int
    source: str
    commune: int
    latitude: float
    longitude: float
    structure: int | None
    siret: str
    structure_name: str
    title: str
    course_type: str
    level: int | None
    slots: frozenset[tuple[int, int]]  # (weekday, start in minutes)
    first_session: date | None
    approximate: bool = False  # the point says little: the commune's centre, or a remote course's address
    record_id: str = ""  # the source's own id of the course
    # The record this one republishes, when it comes from data·inclusion, whose ids are "<producer>--<producer's
    # id>": (producer, id). Our own exports' producer is OWN_PRODUCER and their ids "<our source>:<its id>".
    republished: tuple[str, str] | None = None


@dataclass(frozen=True)
class Pair:
    first: int  # the lower course id
    second: int
    score: float
    verdict: str
    features: dict[str, float]


LEVEL_IN_TITLE = re.compile(r"\b(A1[.,]1|A1|A2|B1|B2|C1|C2)\b")
LEVEL_BY_NAME = {level.label: level.value for level in CecrlLevel}


OWN_PRODUCER = "carto-langue"


def _republishes(a: Offer, b: Offer) -> bool:
    if a.republished is None:
        return False
    producer, original = a.republished
    return original == b.record_id and producer in (OWN_PRODUCER, b.source)


def same_record(a: Offer, b: Offer) -> bool:
    """One of the two republishes the other, by its producer and id: the strongest evidence there is, short of a
    person."""
    return _republishes(a, b) or _republishes(b, a)


def level_of(offer: Offer) -> int | None:
    """The stated target level, else the one the title names ("FLE – niveau B1"): a source without a level field
    (data·inclusion) keeps it in the title."""
    if offer.level is not None:
        return offer.level
    found = LEVEL_IN_TITLE.findall(offer.title.upper())
    return LEVEL_BY_NAME.get(found[0].replace(",", ".")) if len(set(found)) == 1 else None


def _buckets(slots: frozenset[tuple[int, int]]) -> frozenset[tuple[int, int]]:
    """(weekday, part of the day): 9:00 and 9:30 are the same morning, whichever way a source rounds."""
    return frozenset((day, 0 if start < 12 * 60 else 1 if start < 17 * 60 else 2) for day, start in slots)


# The sector's abbreviations, written out before titles and names are compared ("FLE – niv. A2").
ABBREVIATIONS = {
    "fle": "francais langue etrangere",
    "fli": "francais langue d'integration",
    "asl": "atelier sociolinguistique",
    "alpha": "alphabetisation",
    "niv": "niveau",
    "asso": "association",
    "form": "formation",
    "ling": "linguistique",
}


@lru_cache(maxsize=200_000)
def _folded(text: str) -> str:
    """Folded, abbreviations written out; cached: titles and structure names repeat across the pairs of a run."""
    words = fold(text).replace("-", " ").replace("–", " ").replace(".", " ").split()
    return " ".join(ABBREVIATIONS.get(word, word) for word in words)


def _metres(a: Offer, b: Offer) -> float:
    lat = math.radians((a.latitude + b.latitude) / 2)
    dy = (a.latitude - b.latitude) * 111_320.0
    dx = (a.longitude - b.longitude) * 111_320.0 * math.cos(lat)
    return math.hypot(dx, dy)


def incompatible(a: Offer, b: Offer, metres: float) -> bool:
    """Two stated facts that cannot both be true of one course."""
    level_a, level_b = level_of(a), level_of(b)
    if level_a is not None and level_b is not None and level_a != level_b:
        return True
    slots_a, slots_b = _buckets(a.slots), _buckets(b.slots)
    if slots_a and slots_b and len(slots_a & slots_b) / len(slots_a | slots_b) < MIN_SLOT_OVERLAP:
        return True
    if a.first_session and b.first_session and abs((a.first_session - b.first_session).days) > MAX_SESSION_GAP_DAYS:
        return True
    return metres > MAX_DISTANCE_M and not (a.approximate or b.approximate)


def _known_equal(x: object, y: object, unknown: object = None) -> float:
    if x == unknown or y == unknown:
        return 0.5
    return 1.0 if x == y else 0.0


def features(a: Offer, b: Offer, metres: float, title: float, structure_name: float) -> dict[str, float]:
    same_structure = (a.structure is not None and a.structure == b.structure) or (a.siret and a.siret == b.siret)
    slots_a, slots_b = _buckets(a.slots), _buckets(b.slots)
    slots = len(slots_a & slots_b) / len(slots_a | slots_b) if slots_a and slots_b else 0.5
    if a.approximate or b.approximate:
        place = 0.5  # one of the points says only the commune
    else:
        place = 1.0 if metres <= NEAR_M else max(0.0, 1 - (metres - NEAR_M) / (MAX_DISTANCE_M - NEAR_M))
    return {
        "structure": 1.0 if same_structure else structure_name,
        "title": title,
        "place": place,
        "slots": slots,
        "level": _known_equal(level_of(a), level_of(b)),
        "type": _known_equal(a.course_type, b.course_type, UNKNOWN_TYPE),
    }


def score_of(values: dict[str, float]) -> float:
    return sum(WEIGHTS[name] * value for name, value in values.items())


def verdict_of(score: float) -> str:
    return SAME if score >= SAME_FROM else MAYBE if score >= MAYBE_FROM else DIFFERENT


CELL_METRES = MAX_DISTANCE_M  # a point's cell and the 8 around it hold every point within MAX_DISTANCE_M
FORWARD = ((1, -1), (1, 0), (1, 1), (0, 1))  # half of the 8 around a cell: each pair of cells is seen once


def match_offers(offers: Iterable[Offer], *, keep_different: bool = False) -> list[Pair]:
    """The candidate pairs of courses of different sources and their verdicts; *different* pairs only when
    `keep_different` (the evaluation counts them; the store does not keep them)."""
    offers = list(offers)
    plane = project(np.array([o.longitude for o in offers]), np.array([o.latitude for o in offers]))
    cells: dict[tuple[int, int, int], dict[str, list[Offer]]] = defaultdict(lambda: defaultdict(list))
    structures: dict[int, dict[str, list[Offer]]] = defaultdict(lambda: defaultdict(list))
    for offer, (x, y) in zip(offers, (plane // CELL_METRES).astype(np.int64).tolist(), strict=True):
        if not offer.approximate:  # a commune's centre or a remote course's address: by its structure only
            cells[(offer.commune, x, y)][offer.source].append(offer)
        if offer.structure is not None:
            structures[offer.structure][offer.source].append(offer)
    found: dict[tuple[int, int], Pair] = {}

    def compare(here: dict[str, list[Offer]], there: dict[str, list[Offer]]) -> None:
        for left_source, left in here.items():
            for right_source, right in there.items():
                if left_source < right_source:  # each pair of sources once, in one order
                    for pair in _block_pairs(left, right, keep_different):
                        found.setdefault((pair.first, pair.second), pair)

    for (commune, x, y), here in cells.items():
        # The cell's courses against each other, then against the cells after it (both ways round: either source
        # may be in either cell).
        compare(here, here)
        ahead: dict[str, list[Offer]] = defaultdict(list)
        for dx, dy in FORWARD:
            for source, listed in cells.get((commune, x + dx, y + dy), {}).items():
                ahead[source] += listed
        if ahead:
            compare(here, ahead)
            compare(ahead, here)
    for by_source in structures.values():
        compare(by_source, by_source)
    settled = _one_to_one(list(found.values()), {offer.id: offer for offer in offers})
    return settled if keep_different else [pair for pair in settled if pair.verdict != DIFFERENT]


def _columns(offers: list[Offer]) -> tuple[np.ndarray, ...]:
    levels = np.array([-1 if (level := level_of(o)) is None else level for o in offers], dtype=np.int64)
    latitude = np.array([o.latitude for o in offers])
    longitude = np.array([o.longitude for o in offers])
    approximate = np.array([o.approximate for o in offers], dtype=bool)
    return levels, latitude, longitude, approximate


def _candidates(left: list[Offer], right: list[Offer]) -> np.ndarray:
    """(i, j) of the pairs that pass the vectorised part of `incompatible` (level, distance)."""
    ll, llat, llon, lapprox = _columns(left)
    rl, rlat, rlon, rapprox = _columns(right)
    levels = (ll[:, None] == rl[None, :]) | (ll[:, None] < 0) | (rl[None, :] < 0)
    cos = np.cos(np.radians((llat[:, None] + rlat[None, :]) / 2))
    dy = (llat[:, None] - rlat[None, :]) * 111_320.0
    dx = (llon[:, None] - rlon[None, :]) * 111_320.0 * cos
    near = (np.hypot(dx, dy) <= MAX_DISTANCE_M) | lapprox[:, None] | rapprox[None, :]
    return np.argwhere(levels & near)


def _pair_similarities(left: list[Offer], right: list[Offer], pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(title, structure) similarity in [0, 1] of each pair (i, j), from rapidfuzz's native scorers run on
    the pairs alone (`cpdist`). Title: half partial, half whole (an exact title beats one that only contains
    it); structure: 1 for the same structure or SIRET."""
    a = [left[i] for i in pairs[:, 0]]
    b = [right[j] for j in pairs[:, 1]]
    a_titles, b_titles = [_folded(o.title) for o in a], [_folded(o.title) for o in b]
    titles = (
        process.cpdist(a_titles, b_titles, scorer=fuzz.partial_token_sort_ratio)
        + process.cpdist(a_titles, b_titles, scorer=fuzz.token_sort_ratio)
    ) / 200
    same = np.array(
        [
            (x.structure is not None and x.structure == y.structure) or bool(x.siret and x.siret == y.siret)
            for x, y in zip(a, b, strict=True)
        ],
        dtype=bool,
    )
    names = np.ones(len(a))
    other = np.flatnonzero(~same)  # two names are compared only for two structures
    if len(other):
        names[other] = (
            process.cpdist(
                [_folded(a[k].structure_name) for k in other],
                [_folded(b[k].structure_name) for k in other],
                scorer=STRUCTURE_SCORER,
                workers=-1,
            )
            / 100
        )
    return titles, names


def _block_pairs(left: list[Offer], right: list[Offer], keep_different: bool) -> list[Pair]:
    candidates = _candidates(left, right)
    out = []
    if keep_different:
        passing = {(int(i), int(j)) for i, j in candidates}
        out += [
            Pair(min(a.id, b.id), max(a.id, b.id), 0.0, DIFFERENT, {})
            for i, a in enumerate(left)
            for j, b in enumerate(right)
            if (i, j) not in passing
        ]
    if not len(candidates):
        return out
    titles, names = _pair_similarities(left, right, candidates)
    # Only the pairs whose score could still reach *maybe* with every other feature at its best go on.
    rest = sum(weight for name, weight in WEIGHTS.items() if name not in ("structure", "title"))
    hopeful = WEIGHTS["structure"] * names + WEIGHTS["title"] * titles + rest >= MAYBE_FROM
    for (i, j), title, name, keep in zip(candidates.tolist(), titles.tolist(), names.tolist(), hopeful, strict=True):
        a, b = left[i], right[j]
        metres = _metres(a, b)
        republished = same_record(a, b)
        if not (keep or republished) or incompatible(a, b, metres):
            if keep_different:
                out.append(Pair(min(a.id, b.id), max(a.id, b.id), 0.0, DIFFERENT, {}))
            continue
        values = features(a, b, metres, title, name)
        score = round(score_of(values), 4)
        if republished:  # the same record, found again within a block and compatible: same, whoever else is near
            values["republished"] = 1.0
            score = 1.0
        verdict = verdict_of(score)
        if verdict != DIFFERENT or keep_different:
            out.append(Pair(min(a.id, b.id), max(a.id, b.id), score, verdict, values))
    return out


def _one_to_one(pairs: list[Pair], offers: dict[int, Offer]) -> list[Pair]:
    """One course is one offer in each other source. Seen from each course, among its candidates of one source:
    a *same* pair that beats the next candidate by `TIE` stays *same* and the others are *different* (the course
    has its match there); closer than that, the *same* pairs become *maybe* (which one it is, a person decides).
    Then two *same* partners that cannot be one course (incompatible) keep only the better, if it wins by `TIE`:
    a copy that lost its timetable looks like each of two workshops told apart only by their days."""
    by_course: dict[int, list[Pair]] = defaultdict(list)
    for pair in pairs:
        if pair.verdict != DIFFERENT:
            by_course[pair.first].append(pair)
            by_course[pair.second].append(pair)
    doubtful: set[tuple[int, int]] = set()
    beaten: set[tuple[int, int]] = set()
    for course, candidates in by_course.items():
        kept = []
        by_source: dict[str, list[Pair]] = defaultdict(list)
        for pair in candidates:
            by_source[offers[pair.second if pair.first == course else pair.first].source].append(pair)
        for group in by_source.values():
            group.sort(key=lambda p: -p.score)
            best, rest = group[0], group[1:]
            if best.verdict != SAME:
                continue
            if rest and rest[0].score > best.score - TIE:
                doubtful |= {(p.first, p.second) for p in group if p.verdict == SAME}
            else:
                kept.append(best)
                beaten |= {(p.first, p.second) for p in rest}
        kept.sort(key=lambda p: -p.score)
        for i, better in enumerate(kept):
            for worse in kept[i + 1 :]:
                a = offers[better.second if better.first == course else better.first]
                b = offers[worse.second if worse.first == course else worse.first]
                if incompatible(a, b, _metres(a, b)):
                    doubtful.add((worse.first, worse.second))
                    if worse.score > better.score - TIE:
                        doubtful.add((better.first, better.second))
    out = []
    for pair in pairs:
        key = (pair.first, pair.second)
        if pair.verdict == DIFFERENT:
            out.append(pair)
        elif key in beaten and key not in doubtful:
            out.append(Pair(pair.first, pair.second, pair.score, DIFFERENT, {**pair.features, "beaten": 1.0}))
        elif pair.verdict == SAME and key in doubtful:
            out.append(Pair(pair.first, pair.second, pair.score, MAYBE, {**pair.features, "ambiguous": 1.0}))
        else:
            out.append(pair)
    return out
