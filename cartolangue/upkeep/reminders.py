"""Update reminders: the members of a structure whose published courses are "à vérifier" get, at most once per
REMINDER_PERIOD_DAYS, an e-mail with a signed "toujours à jour" link (valid REMINDER_LINK_DAYS, used once, it
confirms those courses and does nothing else) and a link to their space. A structure with no member is listed
for its coordinators instead (space/coordinator_views.py)."""

import dataclasses
import datetime

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cartolangue.offers import enums, freshness
from cartolangue.offers.models import Course, Structure
from cartolangue.upkeep.models import Reminder

SALT = "cartolangue.upkeep.reminder"


class ReminderLinkError(Exception):
    """The link is tampered with, expired or already used: said in plain words."""


@dataclasses.dataclass
class ReminderRun:
    sent: list[Reminder] = dataclasses.field(default_factory=list)
    skipped_recent: list[Structure] = dataclasses.field(default_factory=list)
    without_member: list[Structure] = dataclasses.field(default_factory=list)


def stale_courses(today: datetime.date):
    return Course.objects.public().filter(freshness.stale_q(today))


def structures_without_member(today: datetime.date):
    """Structures with stale published courses and no member to remind: their coordinators' to follow."""
    ids = stale_courses(today).values("structure_id")
    return Structure.objects.filter(pk__in=ids, memberships__isnull=True).order_by("name")


def link_token(reminder: Reminder) -> str:
    return signing.dumps({"reminder": reminder.pk}, salt=SALT, compress=True)


def reminder_from_token(token: str) -> Reminder:
    try:
        data = signing.loads(token, salt=SALT, max_age=datetime.timedelta(days=settings.REMINDER_LINK_DAYS))
    except signing.SignatureExpired as exc:
        raise ReminderLinkError(
            _("Ce lien a expiré : connectez-vous à votre espace pour confirmer vos cours.")
        ) from exc
    except signing.BadSignature as exc:
        raise ReminderLinkError(_("Ce lien n'est pas valide.")) from exc
    reminder = Reminder.objects.select_related("structure").filter(pk=data.get("reminder")).first()
    if reminder is None:
        raise ReminderLinkError(_("Ce lien n'est pas valide."))
    if reminder.used_at is not None:
        raise ReminderLinkError(_("Ce lien a déjà servi : vos cours sont confirmés."))
    return reminder


def confirm_by_link(reminder: Reminder) -> int:
    """Confirm the reminder's courses (still published) as true today, once. Returns how many."""
    with transaction.atomic():
        locked = Reminder.objects.select_for_update().get(pk=reminder.pk)
        if locked.used_at is not None:
            raise ReminderLinkError(_("Ce lien a déjà servi : vos cours sont confirmés."))
        courses = list(Course.objects.public().filter(pk__in=locked.course_ids, structure=locked.structure))
        for course in courses:
            freshness.confirm(course, enums.ConfirmedBy.STRUCTURE)
            course.save(update_fields=["verified_on", "verified_by"])
        locked.used_at = timezone.now()
        locked.save(update_fields=["used_at"])
    return len(courses)


def send_reminders(site_url: str, today: datetime.date | None = None) -> ReminderRun:
    today = today or timezone.localdate()
    run = ReminderRun()
    recent = timezone.now() - datetime.timedelta(days=settings.REMINDER_PERIOD_DAYS)
    by_structure: dict[int, list[Course]] = {}
    for course in stale_courses(today).select_related("structure").order_by("structure__name", "name"):
        by_structure.setdefault(course.structure_id, []).append(course)
    for courses in by_structure.values():
        structure = courses[0].structure
        emails = sorted(structure.memberships.filter(user__is_active=True).values_list("user__email", flat=True))
        if not emails:
            run.without_member.append(structure)
        elif structure.reminders.filter(sent_at__gte=recent).exists():
            run.skipped_recent.append(structure)
        else:
            reminder = Reminder.objects.create(
                structure=structure, course_ids=[c.pk for c in courses], recipients=len(emails)
            )
            _send(reminder, courses, emails, site_url)
            run.sent.append(reminder)
    return run


def _send(reminder: Reminder, courses: list[Course], emails: list[str], site_url: str) -> None:
    base = site_url.rstrip("/")
    confirm = base + reverse("upkeep:confirm", args=[link_token(reminder)])
    space = base + reverse("space:structure", args=[reminder.structure_id])
    lines = "\n".join(f"- {course.name}" for course in courses)
    subject = _("Carto-Langue : vos cours sont-ils toujours à jour ?")
    body = _(
        "Bonjour,\n\nLes informations de ces cours de %(structure)s n'ont pas été confirmées depuis %(months)d mois ; "
        "sur la carte, ils sont marqués « information à vérifier » :\n%(courses)s\n\n"
        "Tout est toujours vrai ? Un clic suffit, sans vous connecter (lien valable %(days)d jours, une fois) :\n"
        "%(confirm)s\n\nQuelque chose a changé ? Modifiez vos cours dans votre espace :\n%(space)s\n"
    ) % {
        "structure": reminder.structure.name,
        "months": settings.STALE_AFTER_MONTHS,
        "courses": lines,
        "days": settings.REMINDER_LINK_DAYS,
        "confirm": confirm,
        "space": space,
    }
    transaction.on_commit(lambda: send_mail(subject, body, None, emails))
