"""The account every import gives: created / updated / unchanged / rejected, with a located reason for
each rejection, what was filtered out, and what was repaired. Printed for people, JSON for machines.

Records placed outside Île-de-France are left out by design (national files hold them): they are counted and
listed apart (`outside_territory`), so that "rejected" counts only the errors someone should fix."""

import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cartolangue.interop.errors import OutsideTerritoryError, RecordError

if TYPE_CHECKING:
    from cartolangue.moderation.conflicts import Conflict

OUTCOMES = ("created", "updated", "unchanged", "rejected")


@dataclass
class Issue:
    record_id: str
    location: str
    reason: str


@dataclass
class ImportReport:
    source: str
    file: str
    format: str
    dry_run: bool = False
    counts: Counter = field(default_factory=Counter)  # outcome → number of records
    filtered: int = 0
    filtered_reasons: Counter = field(default_factory=Counter)
    rejected: list = field(default_factory=list)  # Issue
    outside_territory: list = field(default_factory=list)  # Issue: a place outside Île-de-France, left out
    warnings: list = field(default_factory=list)  # Issue
    structures_merged: list = field(default_factory=list)  # Issue: a structure matched by SIRET
    conflicts: list = field(default_factory=list)  # Issue: a field the provider set by hand, kept
    seconds: float = 0.0

    def count(self, outcome: str) -> None:
        self.counts[outcome] += 1

    def reject(self, record_id: str, location: str, reason: str | RecordError) -> None:
        """`reason`: a text, or the RecordError itself (its kind says whether it is an error or a record
        outside Île-de-France)."""
        issue = Issue(record_id, location, str(reason))
        if getattr(reason, "kind", "error") == OutsideTerritoryError.kind:
            self.outside_territory.append(issue)
        else:
            self.counts["rejected"] += 1
            self.rejected.append(issue)

    def warn(self, record_id: str, location: str, reason: str) -> None:
        self.warnings.append(Issue(record_id, location, reason))

    def note_conflicts(self, conflicts: Iterable["Conflict"]) -> None:
        """The fields a provider set by hand that the import left as they were (moderation/conflicts.py)."""
        for conflict in conflicts:
            self.conflicts.append(
                Issue(str(conflict.course_id), conflict.field, _("valeur saisie par la structure conservée"))
            )

    def filter_out(self, reason: str) -> None:
        self.filtered += 1
        self.filtered_reasons[reason] += 1

    @property
    def total(self) -> int:
        return sum(self.counts[o] for o in OUTCOMES) + len(self.outside_territory)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "file": self.file,
            "format": self.format,
            "dry_run": self.dry_run,
            **{o: self.counts[o] for o in OUTCOMES},
            "filtered": self.filtered,
            "filtered_reasons": dict(self.filtered_reasons),
            "rejections": [asdict(i) for i in self.rejected],
            "outside_territory": [asdict(i) for i in self.outside_territory],
            "warnings": [asdict(i) for i in self.warnings],
            "structures_merged": [asdict(i) for i in self.structures_merged],
            "conflicts": [asdict(i) for i in self.conflicts],
            "seconds": round(self.seconds, 3),
        }

    def write_json(self, path: str | os.PathLike[str]) -> None:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(self.as_dict(), out, ensure_ascii=False, indent=2)
            out.write("\n")

    def lines(self) -> Iterator[str]:
        counts = {o: self.counts[o] for o in OUTCOMES}
        yield _(
            "%(file)s (%(format)s) : %(created)d créé(s), %(updated)d mis à jour, %(unchanged)d inchangé(s), "
            "%(rejected)d rejeté(s)"
        ) % {"file": self.file, "format": self.format, **counts}
        if self.filtered:
            yield ngettext(
                "%(n)d enregistrement écarté (hors offre linguistique)",
                "%(n)d enregistrements écartés (hors offre linguistique)",
                self.filtered,
            ) % {"n": self.filtered}
            for reason, n in sorted(self.filtered_reasons.items()):
                yield f"  - {reason} : {n}"
        if self.outside_territory:
            yield ngettext(
                "%(n)d enregistrement hors Île-de-France écarté (attendu)",
                "%(n)d enregistrements hors Île-de-France écartés (attendu)",
                len(self.outside_territory),
            ) % {"n": len(self.outside_territory)}
            for issue in self.outside_territory:
                yield f"  - {issue.record_id} ({issue.location}) : {issue.reason}"
        for issue in self.rejected:
            yield _("REJETÉ %(id)s (%(location)s) : %(reason)s") % {
                "id": issue.record_id,
                "location": issue.location,
                "reason": issue.reason,
            }
        for issue in self.warnings:
            yield _("ATTENTION %(id)s (%(location)s) : %(reason)s") % {
                "id": issue.record_id,
                "location": issue.location,
                "reason": issue.reason,
            }
        for issue in self.structures_merged:
            yield _("FUSION %(id)s : %(reason)s") % {"id": issue.record_id, "reason": issue.reason}
        if self.conflicts:
            yield ngettext(
                "%(n)d conflit : valeur saisie par la structure conservée (à trancher dans l'espace coordinateur)",
                "%(n)d conflits : valeurs saisies par les structures conservées (à trancher dans l'espace "
                "coordinateur)",
                len(self.conflicts),
            ) % {"n": len(self.conflicts)}
            for issue in self.conflicts:
                yield _("CONFLIT cours %(id)s, champ %(field)s") % {"id": issue.record_id, "field": issue.location}
        if self.dry_run:
            yield _("Essai à blanc : rien n'a été enregistré.")
