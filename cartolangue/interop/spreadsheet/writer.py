"""Exports an offer to the Carto-Langue spreadsheet: the template (template.py) filled with existing courses and
exam sessions, their structures, places, weekly time slots and sessions, in the layout reader.py reads back.

Records are keyed by their source id (prefixed with their source where two sources share an id). Coordinates
that are only a commune's centre (`location_is_approximate`) are left out, so that a re-import places them
the same way instead of taking them for a real address point.
"""

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db.models import Prefetch, QuerySet

from cartolangue.interop.spreadsheet.columns import REFERENTIALS, SEPARATOR, SHEETS, Column, Sheet
from cartolangue.interop.spreadsheet.template import NUMBER_FORMATS, template_columns, template_workbook
from cartolangue.offers.models import (
    Course,
    CourseAudience,
    CourseFunder,
    CourseSchooling,
    ExamSession,
    Session,
    TimeSlot,
)


def _keys(objects):
    """{pk: key in the workbook}: the source id, or "source:source id" where two sources share an id."""
    counts = Counter(o.source_id for o in objects)
    return {o.pk: o.source_id if counts[o.source_id] == 1 else f"{o.source}:{o.source_id}" for o in objects}


def _unique(objects):
    return list({o.pk: o for o in objects}.values())


def _spread(columns, values):
    """Numbered columns ← lists of values, one per column; what does not fit goes in the last one."""
    values = list(values)
    if len(values) > len(columns):
        values = [*([v] for v in values[: len(columns) - 1]), values[len(columns) - 1 :]]
    else:
        values = [[v] for v in values]
    return dict(zip(columns, values, strict=False))


class OfferWriter:
    def __init__(self):
        self.wb = template_workbook()
        self.labels = {key: {v: str(label) for v, label in r.choices()} for key, r in REFERENTIALS.items()}
        self.next_row = {}  # sheet key → row to write (asking openpyxl for max_row is linear)

    def cell_value(self, column: Column, value: Any) -> Any:
        """A model value as written in a cell: labels for referentials, several ones separated."""
        if value is None or value == "" or value == []:
            return None
        if column.kind in ("enum", "bool"):
            labels = self.labels[column.referential]
            if isinstance(value, list):
                return f" {SEPARATOR} ".join(labels[v] for v in value)
            return labels[value]
        return value

    def append(self, sheet: Sheet, values: dict[str | Column, Any]) -> None:
        """Write one row: `values` maps a column key (or a Column, for numbered ones) to a model value."""
        ws = self.wb[str(sheet.title)]
        row = self.next_row.get(sheet.key, 2)
        self.next_row[sheet.key] = row + 1
        for position, column in enumerate(template_columns(sheet), start=1):
            value = values.get(column, values.get(column.key) if not column.index else None)
            value = self.cell_value(column, value)
            if value is None:
                continue
            cell = ws.cell(row=row, column=position, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a formula
            if column.kind in ("date", "time"):
                cell.number_format = NUMBER_FORMATS[column.kind]

    @staticmethod
    def numbered(sheet: Sheet, key: str, values: Iterable[Any]) -> dict[str | Column, Any]:
        return _spread([c for c in template_columns(sheet) if c.key == key and c.index], values)

    @staticmethod
    def audiences(sheet: Sheet, audiences: Iterable[CourseAudience]) -> dict[str | Column, Any]:
        """Public n / Accès du public n pairs; beyond the last pair, one pair per access mode."""
        publics = [c for c in template_columns(sheet) if c.key == "audiences"]
        modes = [c for c in template_columns(sheet) if c.key == "audience_modes"]
        pairs = [([a.audience], a.mode) for a in audiences]
        if len(pairs) > len(publics):
            grouped: dict[str, list[str]] = {}
            for (audience,), mode in pairs:
                grouped.setdefault(mode, []).append(audience)
            pairs = list((codes, mode) for mode, codes in grouped.items())
        values: dict[str | Column, Any] = {}
        for (codes, mode), public, mode_column in zip(pairs, publics, modes, strict=False):
            values[public], values[mode_column] = codes, mode
        return values

    def write(self, courses: list[Course], exam_sessions: list[ExamSession]) -> tuple[int, int]:
        structures = _unique([c.structure for c in courses] + [e.structure for e in exam_sessions])
        places = _unique([c.place for c in courses] + [e.place for e in exam_sessions])
        structure_keys, place_keys, course_keys = _keys(structures), _keys(places), _keys(courses)
        for structure in structures:
            self.append(
                SHEETS["structures"],
                {
                    "structure_id": structure_keys[structure.pk],
                    **{k: getattr(structure, k) for k in ("name", "acronym", "siret", "kind", "description")},
                    **{k: getattr(structure, k) for k in ("website", "email", "phone")},
                    **self.numbered(SHEETS["structures"], "networks", structure.networks),
                },
            )
        for place in places:
            exact = not place.location_is_approximate
            self.append(
                SHEETS["places"],
                {
                    "place_id": place_keys[place.pk],
                    **{k: getattr(place, k) for k in ("name", "address", "address_complement", "post_code")},
                    "city": place.commune.name,
                    "code_insee": place.commune.code_insee,
                    "latitude": place.latitude if exact else None,
                    "longitude": place.longitude if exact else None,
                    "step_free_access": place.step_free_access,
                },
            )
        sheet = SHEETS["courses"]
        scalars = [c.key for c in template_columns(sheet) if not c.index and c.kind not in ("id", "ref")]
        sessions = _keys([s for c in courses for s in c.sessions.all()])
        for course in courses:
            self.append(
                sheet,
                {
                    "course_id": course_keys[course.pk],
                    "structure": structure_keys[course.structure_id],
                    "place": place_keys[course.place_id],
                    **{k: getattr(course, k) for k in scalars},
                    **self.numbered(sheet, "schooling", [s.schooling for s in course.schooling.all()]),
                    **self.numbered(sheet, "funders", [f.funder for f in course.funders.all()]),
                    **self.numbered(sheet, "certifications", [c.code for c in course.certifications.all()]),
                    **self.audiences(sheet, course.audiences.all()),
                },
            )
            for slot in course.time_slots.all():
                self.append(
                    SHEETS["time_slots"],
                    {
                        "course": course_keys[course.pk],
                        "weekday": slot.weekday,
                        "starts_at": slot.starts_at,
                        "ends_at": slot.ends_at,
                    },
                )
            for session in course.sessions.all():
                self.append(
                    SHEETS["sessions"],
                    {
                        "session_id": sessions[session.pk],
                        "course": course_keys[course.pk],
                        **{k: getattr(session, k) for k in ("starts_on", "ends_on", "recruitment_status")},
                        **{k: getattr(session, k) for k in ("seats", "seats_left")},
                    },
                )
        exam_keys = _keys(exam_sessions)
        for exam in exam_sessions:
            self.append(
                SHEETS["exam_sessions"],
                {
                    "exam_id": exam_keys[exam.pk],
                    "structure": structure_keys[exam.structure_id],
                    "place": place_keys[exam.place_id],
                    "certification": exam.certification.code,
                    **{k: getattr(exam, k) for k in ("exam_date", "registration_deadline", "price", "seats_left")},
                    "registration_url": exam.registration_url,
                },
            )
        return len(courses), len(exam_sessions)


def write_offer(
    courses_queryset: QuerySet[Course], exam_sessions_queryset: QuerySet[ExamSession], path: str | Path
) -> tuple[int, int]:
    """Save to `path` the template filled with these courses and exam sessions; returns (courses, exams) counts."""
    courses = list(
        courses_queryset.select_related("structure", "place__commune")
        .defer("place__commune__geometry")
        .prefetch_related(
            Prefetch("time_slots", queryset=TimeSlot.objects.order_by("weekday", "starts_at")),
            Prefetch("audiences", queryset=CourseAudience.objects.order_by("audience")),
            Prefetch("schooling", queryset=CourseSchooling.objects.order_by("schooling")),
            Prefetch("funders", queryset=CourseFunder.objects.order_by("funder")),
            Prefetch("sessions", queryset=Session.objects.order_by("starts_on", "source_id")),
            "certifications",
        )
        .order_by("structure__name", "name", "pk")
    )
    exam_sessions = list(
        exam_sessions_queryset.select_related("structure", "place__commune", "certification")
        .defer("place__commune__geometry")
        .order_by("structure__name", "exam_date", "pk")
    )
    writer = OfferWriter()
    counts = writer.write(courses, exam_sessions)
    writer.wb.save(path)
    return counts
