"""The rules a course's values must keep across fields, with the field each one is about: the imports reject a
record that breaks one (interop/checks.py), the provider space shows the message next to the field
(space/forms.py), and the database constraints of offers/models.py hold them last."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _


def course_rule_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """field → message for each cross-field rule the values break (empty when they keep them all)."""
    errors: dict[str, str] = {}
    target = values.get("cecrl_level_target")
    for name in ("entry_level_oral", "entry_level_written"):
        entry = values.get(name)
        if entry is not None and target is not None and int(entry) > int(target):
            errors[name] = _("le niveau d'entrée dépasse le niveau visé")
    if values.get("is_free") and values.get("cost_amount"):
        errors["cost_amount"] = _("un cours gratuit ne peut pas avoir de coût")
    seats_left = values.get("seats_left")
    if seats_left is not None:
        available = values.get("places_available")
        if seats_left == 0 and available is not False:
            errors["seats_left"] = _("0 place restante : le cours est complet (places disponibles : non)")
        elif seats_left > 0 and available is not True:
            errors["seats_left"] = _("des places restent : « places disponibles » doit être oui")
    return errors
