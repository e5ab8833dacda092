"""Which courses of different sources are the same offer (issue #23): candidate pairs, a score, a verdict.

A pure function over plain records (`Offer`), so that the same code runs on the database (store.py) and on the
labelled evaluation set (evaluation.py, `bench/dedup.py`). The thresholds and weights are decided in
docs/adr/0024-course-matching.md; the figures that justify them are in docs/bench/.

1. **Blocking**: only courses of two different sources are compared, when held at the same commune (a course and
   its copy name the same address, even spelled otherwise) or given by the same structure (merged by SIRET at
   import: a copy placed elsewhere for want of coordinates is still found).
2. **Incompatible** pairs are *different* whatever else they share: two stated target levels that differ (a
   level a title names counts as stated: "FLE – niveau B1"), two stated weekly timetables with no slot in
   common, two stated first sessions more than `MAX_SESSION_GAP_DAYS` apart, points more than `MAX_DISTANCE_M` apart.
3. **Score** in [0, 1]: the weighted mean of the structure (same structure or SIRET: 1, else name
   similarity), the title (rapidfuzz, half partial and half whole, of the folded titles), the place (1 up to 100 m, 0 from
   `MAX_DISTANCE_M`), the timetable (overlap of the slots; unknown on one side: 0.5) and the level and type
   (stated and equal: 1, unknown on one side: 0.5, different: 0). The type is not a hard rule: a source
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

import numpy as np
from rapidfuzz import fuzz, process

from cartolangue.offers.enums import CecrlLevel
from cartolangue.text import fold

SAME, MAYBE, DIFFERENT = "same", "maybe", "different"
SAME_FROM = 0.82
MAYBE_FROM = 0.78
MAX_DISTANCE_M = 1000.0
NEAR_M = 100.0
MAX_SESSION_GAP_DAYS = 45
MIN_SLOT_OVERLAP = 0.5  # of the two stated timetables, in (weekday, part of the day)
TIE = 0.05  # a rival candidate this close to a *same* pair makes it ambiguous
UNKNOWN_TYPE = "autre"
STRUCTURE_SCORER = fuzz.token_sort_ratio
def TITLE_SCORER(a: str, b: str, **kwargs: object) -> float:  # noqa: N802 (a rapidfuzz scorer, by convention)
    """Half partial (an abbreviated or truncated title still matches), half whole (an exact title beats a title
    that only contains the other: "ASL découverte de la ville" over "Atelier sociolinguistique")."""
    return (fuzz.partial_token_sort_ratio(a, b, **kwargs) + fuzz.token_sort_ratio(a, b, **kwargs)) / 2
WEIGHTS = {"structure": 0.3, "title": 0.25, "place": 0.15, "slots": 0.1, "level": 0.1, "type": 0.1}


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Pair:
    first: int  # the lower course id
    second: int
    score: float
    verdict: str
    features: dict[str, float]


LEVEL_IN_TITLE = re.compile(r"\b(A1[.,]1|A1|A2|B1|B2|C1|C2)\b")
LEVEL_BY_NAME = {level.label: level.value for level in CecrlLevel}


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


def _folded(text: str) -> str:
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


def match_offers(offers: Iterable[Offer], *, keep_different: bool = False) -> list[Pair]:
    """The candidate pairs of courses of different sources and their verdicts; *different* pairs only when
    `keep_different` (the evaluation counts them; the store does not keep them)."""
    blocks: dict[tuple[str, object], dict[str, list[Offer]]] = defaultdict(lambda: defaultdict(list))
    offers_by_id: dict[int, Offer] = {}
    for offer in offers:
        offers_by_id[offer.id] = offer
        blocks[("commune", offer.commune)][offer.source].append(offer)
        if offer.structure is not None:
            blocks[("structure", offer.structure)][offer.source].append(offer)
    found: dict[tuple[int, int], Pair] = {}
    for by_source in blocks.values():
        sources = sorted(by_source)
        for i, left_source in enumerate(sources):
            for right_source in sources[i + 1 :]:
                for pair in _block_pairs(by_source[left_source], by_source[right_source], keep_different):
                    found.setdefault((pair.first, pair.second), pair)
    settled = _one_to_one(list(found.values()), offers_by_id)
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
    rows, cols = sorted(set(candidates[:, 0].tolist())), sorted(set(candidates[:, 1].tolist()))
    row_at, col_at = {r: k for k, r in enumerate(rows)}, {c: k for k, c in enumerate(cols)}
    titles = process.cdist(
        [_folded(left[r].title) for r in rows], [_folded(right[c].title) for c in cols], scorer=TITLE_SCORER
    )
    names = process.cdist(
        [_folded(left[r].structure_name) for r in rows],
        [_folded(right[c].structure_name) for c in cols],
        scorer=STRUCTURE_SCORER,
    )
    for i, j in candidates.tolist():
        a, b = left[i], right[j]
        metres = _metres(a, b)
        if incompatible(a, b, metres):
            if keep_different:
                out.append(Pair(min(a.id, b.id), max(a.id, b.id), 0.0, DIFFERENT, {}))
            continue
        values = features(
            a, b, metres, float(titles[row_at[i], col_at[j]]) / 100, float(names[row_at[i], col_at[j]]) / 100
        )
        score = round(score_of(values), 4)
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
