"""LHEO 2.2 / 2.3 XML → normalised records, streamed: each `formation` (or `resume-offre` for the lheo-index
summary format) is mapped to courses with their structure, places and sessions. The file walk (safe parser,
streaming, child lookups) is walk.py, the reading of single values values.py.

Just under 500 lines on purpose: what is left is one reader's mapping, whose formation, action, session,
structure and place steps share its caches (`_same_as_last`, stamps, course types) and the lheo-index summary
reuses them.

- Safety: entities are never resolved, no DTD is loaded, the network is off, and a document whose DTD
  declares entities (XXE, "billion laughs") is refused before anything is read (walk.py).
- Each formation is checked against the official XSD (2.2 files once their namespace is swapped, which is
  how LHEO 2.2 data validates against 2.3); defects are reported with their line, and the record is still
  imported when what Carto-Langue needs is there.
- Only language courses are kept, by Formacode (data/interop/formacodes-langue.csv, or `formacodes`).
- One course per action and place: an action given at two places is two courses (`<action id>@2`).
- A big file is read in a forked child process while the parent writes what was read (see `LheoReader`).
"""

import hashlib
import os
from datetime import time

from django.utils.translation import gettext as _
from lxml import etree

from cartolangue.interop.background import can_fork, read_in_child
from cartolangue.interop.errors import ImportFileError
from cartolangue.interop.html import html_to_text
from cartolangue.interop.lheo import conventions as c
from cartolangue.interop.lheo.values import (
    contact_kind,
    course_type_of,
    https_url,
    parse_bool,
    parse_date,
    parse_day,
    parse_decimal,
    parse_float,
    parse_int,
    parse_level,
    stamp_of,
)
from cartolangue.interop.lheo.walk import LheoWalk, child_tags, sniff, xml_error
from cartolangue.interop.records import (
    CourseRecord,
    Filtered,
    Notice,
    PlaceRecord,
    SessionRecord,
    StructureRecord,
    TimeSlotRecord,
)
from cartolangue.offers import enums
from cartolangue.text import fold

ZERO_SIRET = "0" * 14


class LheoReader(LheoWalk):
    """Iterating yields, in file order, the records, Notice and Filtered items; ImportFileError for a bad file.

    A big file (`BACKGROUND_MIN_BYTES`) is read in a forked child process while this one stores what it
    has already read (`interop.background`): the same items, in the same order, then the same error if the
    file turns out to be bad further on; `background` forces either way."""

    BACKGROUND_MIN_BYTES = 4 * 2**20
    BACKGROUND_BATCH = 200  # items per message from the child

    def __init__(self, path, *, source="lheo", formacodes=None, validate=True, background=None):
        self.path = str(path)
        self.source = source
        self.formacodes = formacodes if formacodes is not None else c.language_formacodes()
        super().__init__(validate=validate)
        self.background = background
        self.publics = c.public_code_map()
        self._stamps = {}  # raw timestamp attributes → datetime
        self._course_types = {}
        self._last = {}  # read method → (XML and context of the last node it read, its result): `_same_as_last`

    def __iter__(self):
        ns, root = sniff(self.path)
        if self._in_background():
            yield from read_in_child(lambda: self._read(ns, root), batch_size=self.BACKGROUND_BATCH, name=self.path)
        else:
            yield from self._read(ns, root)

    def _in_background(self):
        if not can_fork():
            return False
        if self.background is not None:
            return self.background
        return os.path.getsize(self.path) >= self.BACKGROUND_MIN_BYTES

    def _read(self, ns, root):
        self.ns = ns
        self.version = c.NAMESPACES[ns]
        self._extras_tag, self._extra_tag = child_tags(ns, "extras")[0], child_tags(ns, "extra")[0]
        self._line = _("ligne %(line)s")
        item = "formation" if root == "lheo" else "resume-offre"
        read = self._formation if root == "lheo" else self._resume
        try:
            with open(self.path, "rb") as stream:
                yield from self._iterate(stream, ns, item, read)
        except etree.XMLSyntaxError as exc:
            raise ImportFileError(xml_error(self.path, exc)) from exc

    def _keep(self, elem, record_id, location):
        """Schema notices, then Filtered when no Formacode is a language one; yields, returns keep: bool."""
        for line, message in self.schema_defects(elem):
            yield Notice(
                record_id,
                _("ligne %(line)s") % {"line": line},
                _("non conforme au schéma LHEO %(v)s : %(message)s") % {"v": self.version, "message": message},
            )
        codes = self.texts(elem, "domaine-formation/code-FORMACODE")
        kept = [code for code in codes if code in self.formacodes]
        if not kept:
            yield Filtered(
                record_id,
                location,
                _("Formacode %(codes)s hors offre linguistique") % {"codes": ", ".join(codes) or "absent"},
            )
            return None
        return kept

    def _stamp(self, node):
        """When the source last changed a node; the same few stamps recur throughout a file."""
        key = (node.get("horodatage-modification"), node.get("datemaj"))
        if key not in self._stamps:
            if len(self._stamps) > 10_000:
                self._stamps.clear()
            self._stamps[key] = stamp_of(*key)
        return self._stamps[key]

    def _course_type(self, name, formacodes):
        key = (name, tuple(formacodes))
        if key not in self._course_types:
            if len(self._course_types) > 10_000:
                self._course_types.clear()
            self._course_types[key] = course_type_of(name, formacodes)
        return self._course_types[key]

    # --- lheo ------------------------------------------------------------------------------------------

    def _formation(self, elem):
        formation_id = elem.get("numero") or f"formation@{elem.sourceline}"
        location = self._line % {"line": elem.sourceline}
        kept = yield from self._keep(elem, formation_id, location)
        if kept is None:
            return
        organisme = self.find(elem, "organisme-formation-responsable")
        if organisme is None:
            structure, structure_warnings = self._structure(None)
        else:
            structure, structure_warnings = self._same_as_last(organisme, self._structure)
        for index, action in enumerate(self.all(elem, "action"), start=1):
            yield from self._action(elem, action, index, kept, structure, structure_warnings)

    def _action(self, formation, action, index, formacodes, structure, structure_warnings):
        action_id = action.get("numero") or f"{formation.get('numero') or formation.sourceline}-{index}"
        location = self._line % {"line": action.sourceline}
        x = self.extras(action)
        warnings = list(structure_warnings)
        places = [
            self._same_as_last(lieu, self._lieu, structure.source_id) for lieu in self.all(action, "lieu-de-formation")
        ]
        places = [p for p in places if p is not None]
        if not places:
            fallback = self.find(action, "session/adresse-inscription/adresse")
            what = _("adresse d'inscription")
            if fallback is None:
                fallback = self.find(
                    formation, "organisme-formation-responsable/coordonnees-organisme/coordonnees/adresse"
                )
                what = _("adresse de l'organisme")
            place = self._place(fallback, None, structure.source_id)
            if place is None:
                yield Filtered(action_id, location, _("action sans lieu ni adresse"))
                return
            warnings.append(_("lieu de formation absent : %(what)s utilisée") % {"what": what})
            places = [place]
        if len(places) > 1:
            warnings.append(_("%(n)d lieux de formation : un cours par lieu") % {"n": len(places)})
        fields = self._course_fields(formation, action, x, formacodes, warnings)
        sessions = self._sessions(action, action_id, warnings)
        if "places-disponibles" not in x and sessions:
            states = {s.recruitment_status for s in sessions}
            if enums.RecruitmentStatus.OPEN in states:
                fields["places_available"] = True
            elif states == {enums.RecruitmentStatus.CLOSED}:
                fields["places_available"] = False
        for n, place in enumerate(places, start=1):
            yield CourseRecord(
                source=self.source,
                source_id=action_id if n == 1 else f"{action_id}@{n}",
                structure=structure,
                place=place,
                location=location,
                sessions=sessions
                if n == 1
                else [SessionRecord(**{**s.__dict__, "source_id": f"{s.source_id}@{n}"}) for s in sessions],
                warnings=list(warnings),
                updated_at=self._stamp(action),
                **fields,
            )

    def _course_fields(self, formation, action, x, formacodes, warnings):
        one = {info: values[0][0] for info, values in x.items()}.get  # the first value of an extra
        name = one("intitule") or self.text(formation, "intitule-formation")
        if "type-cours" in x:
            description = one("presentation") or html_to_text(self.text(formation, "objectif-formation"))
            description = "" if description == "-" else description
        else:
            parts = [html_to_text(self.text(formation, p)) for p in ("objectif-formation", "contenu-formation")]
            rythme = self.text(action, "rythme-formation")
            if rythme and rythme != "-":
                parts.append(_("Rythme : %(r)s") % {"r": rythme})
            description = "\n\n".join(p for p in parts if p and p != "-")
        fields = {
            "name": name,
            "description": description,
            "course_type": one("type-cours") or self._course_type(name, formacodes),
            "parcours": one("parcours", ""),
            "cecrl_level_target": parse_level(one("niveau-vise"), warnings),
            "entry_level_oral": parse_level(one("niveau-entree-oral"), warnings),
            "entry_level_written": parse_level(one("niveau-entree-ecrit"), warnings),
            "hours_per_week": parse_decimal(one("heures-par-semaine"), warnings, "heures-par-semaine"),
            "total_hours": parse_int(self.text(action, "nombre-heures-total"), warnings, "nombre-heures-total"),
            "modality": c.MODALITY_FROM_LHEO.get(self.text(action, "modalites-enseignement"), enums.Modality.ON_SITE),
            "registration_mode": one("inscription", ""),
            "childcare": parse_bool(one("garde-enfants")),
            "places_available": parse_bool(one("places-disponibles")),
            "formacode": one("formacode") if "formacode" in x else formacodes[0],
            "rs_code": self.text(formation, "certification/code-RS")[:10],
            "rncp_code": self.text(formation, "certification/code-RNCP")[:10],
            "certifications": [v for v, _extra in x.get("certification", [])],
            "verified_on": parse_day(one("verifie-le")),
            "source_url": self.text(action, "url-action/urlweb") or self.text(formation, "url-formation/urlweb"),
            "cost_details": one("precisions-cout") or self.text(action, "frais-restants"),
        }
        if fields["source_url"] and not fields["source_url"].startswith(("http://", "https://")):
            fields["source_url"] = "https://" + fields["source_url"]
        price = parse_decimal(self.text(action, "prix-total-TTC"), warnings, "prix-total-TTC")
        if "type-cours" in x:  # carto-langue extras: no "gratuit" means the cost is not known
            fields["is_free"] = parse_bool(one("gratuit"))
            fields["cost_amount"] = parse_decimal(one("cout"), warnings, "cout")
        else:
            fields["is_free"] = None if price is None else price == 0
            fields["cost_amount"] = price if price else None
        contact = self.find(formation, "contact-formation/coordonnees")
        person = " ".join(p for p in (self.text(contact, "prenom"), self.text(contact, "nom")) if p)
        cx = self.extras(self.find(formation, "contact-formation"))
        fields["contact_name"] = (cx.get("contact") or [(person, None)])[0][0]
        phone = self.text(contact, "telfixe/numtel") or self.text(contact, "portable/numtel")
        fields["contact_phone"] = (cx.get("telephone") or [(phone, None)])[0][0][:30]
        fields["contact_email"] = self.text(contact, "courriel")
        fields["contact_public"], fields["contact_role"] = contact_kind(
            self.text(self.find(formation, "contact-formation"), "type-contact")
        )
        if "public" in x or "type-cours" in x:  # carto-langue extras: authoritative, even when empty
            fields["audiences"] = {
                enums.current_audience(value): extra.get("tag") or enums.AudienceMode.PRIORITY
                for value, extra in x.get("public", [])
            }
        else:
            audiences = {}
            for code in self.texts(action, "code-public-vise"):
                for value in sorted(self.publics.get(code, ())):
                    audiences[value] = enums.AudienceMode.PRIORITY
            fields["audiences"] = audiences
        fields["schooling"] = [v for v, _extra in x.get("scolarisation", [])]
        funders = []
        for code in self.texts(action, "organisme-financeur/code-financeur"):
            if code in c.FUNDER_FROM_LHEO:
                funders.append(c.FUNDER_FROM_LHEO[code])
            else:
                warnings.append(_("code financeur inconnu ou obsolète : %(code)s") % {"code": code})
        funders += [v for v, _extra in x.get("financeur", [])]
        fields["funders"] = list(dict.fromkeys(funders))
        slots = []
        for value, extra in x.get("creneau", []):
            day = extra.get("tag")
            try:
                start, end = value.split("-")
                slots.append(
                    TimeSlotRecord(
                        c.WEEKDAYS.index(day),
                        time.fromisoformat(start),
                        time.fromisoformat(end),
                    )
                )
            except ValueError:
                warnings.append(_("créneau illisible : %(v)s %(d)s") % {"v": value, "d": day})
        fields["time_slots"] = slots
        return fields

    def _sessions(self, action, action_id, warnings):
        sessions = []
        for index, node in enumerate(self.all(action, "session"), start=1):
            x = self.extras(node)
            if x.get("sans-session"):
                continue
            session_id = node.get("numero") or f"{action_id}:{index}"
            starts_on = self._date(node, "periode/debut", False, session_id, warnings)
            ends_on = self._date(node, "periode/fin", True, session_id, warnings)
            if starts_on and ends_on and starts_on > ends_on:
                warnings.append(_("session %(id)s : fin avant le début, fin ignorée") % {"id": session_id})
                ends_on = None
            status = (x.get("etat-recrutement") or [(None, None)])[0][0]
            if not status:
                code = self.text(node, "etat-recrutement")
                status = c.RECRUITMENT_FROM_LHEO.get(code, "")
                if code == "3":
                    warnings.append(_("session %(id)s : recrutement suspendu, lu comme fermé") % {"id": session_id})
            seats = parse_int((x.get("places") or [("", None)])[0][0], warnings, "places")
            seats_left = parse_int((x.get("places-restantes") or [("", None)])[0][0], warnings, "places-restantes")
            sessions.append(
                SessionRecord(
                    source_id=session_id,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    recruitment_status=status,
                    seats=seats,
                    seats_left=seats_left,
                    updated_at=self._stamp(node),
                )
            )
        return sessions

    def _date(self, node, path, end, session_id, warnings):
        raw = self.text(node, path)
        if not raw:
            return None
        try:
            value, partial = parse_date(raw, end)
        except c.LheoDateError:
            warnings.append(_("session %(id)s : date illisible « %(raw)s »") % {"id": session_id, "raw": raw})
            return None
        if partial and value is not None:  # a partial date is always read as a day
            warnings.append(
                _("session %(id)s : date partielle %(raw)s lue comme le %(date)s")
                % {"id": session_id, "raw": raw, "date": value.isoformat()}
            )
        return value

    def _same_as_last(self, node, read, *context):
        """`read(node, *context)`, or the last formation's result when the node's XML and the context are the
        same. Files list an organisme's formations together, often at the same place: their records are then
        read once, and pickled once a batch (an object shared by several items is pickled once). Records
        are never changed once read, so sharing one is safe."""
        key = (etree.tostring(node, with_tail=False), *context)
        last = self._last.get(read)
        if last is None or last[0] != key:
            last = self._last[read] = (key, read(node, *context))
        return last[1]

    def _structure(self, node):
        warnings = []
        if node is None:
            return StructureRecord(source=self.source, source_id="", name=""), [_("organisme responsable absent")]
        x = self.extras(node)
        siret = self.text(node, "SIRET-organisme-formation/SIRET").replace(" ", "")
        if siret == ZERO_SIRET:
            siret = ""
        elif siret and not (len(siret) == 14 and siret.isdigit()):
            warnings.append(_("SIRET invalide « %(siret)s » (14 chiffres attendus), ignoré") % {"siret": siret})
            siret = ""
        name = (x.get("nom") or [(self.text(node, "nom-organisme") or self.text(node, "raison-sociale"), None)])[0][0]
        coordonnees = self.find(node, "coordonnees-organisme/coordonnees")
        website = self.text(coordonnees, "web/urlweb")
        source_id = node.get("numero") or siret or "nom:" + fold(name)
        kind = (x.get("type-structure") or [(enums.StructureKind.TRAINING_BODY, None)])[0][0]
        record = StructureRecord(
            source=self.source,
            source_id=source_id,
            name=name,
            siret=siret,
            acronym=(x.get("sigle") or [("", None)])[0][0],
            kind=kind,
            networks=[v for v, _extra in x.get("reseau", [])],
            description=(x.get("presentation") or [("", None)])[0][0],
            website=(x.get("site") or [(https_url(website), None)])[0][0],
            email=self.text(coordonnees, "courriel"),
            phone=(
                x.get("telephone")
                or [(self.text(coordonnees, "telfixe/numtel") or self.text(coordonnees, "portable/numtel"), None)]
            )[0][0][:30],
            source_url=(x.get("adresse-source") or [("", None)])[0][0],
            updated_at=self._stamp(node),
        )
        return record, warnings

    def _lieu(self, lieu, structure_id):
        return self._place(self.find(lieu, "coordonnees/adresse"), lieu, structure_id)

    def _place(self, adresse, lieu, structure_id):
        if adresse is None:
            return None
        x = ax = self.extras(lieu)
        lines = self.texts(adresse, "ligne")
        address = (ax.get("adresse") or [(lines[0] if lines else "", None)])[0][0]
        complement = (ax.get("complement-adresse") or [(", ".join(lines[1:]), None)])[0][0]
        coordonnees = adresse.getparent()
        name = self.text(adresse, "denomination") or self.text(coordonnees, "nom")
        name = (ax.get("nom-lieu") or [(name, None)])[0][0]
        lat, lon = (
            parse_float(self.text(adresse, "geolocalisation/latitude")),
            parse_float(self.text(adresse, "geolocalisation/longitude")),
        )
        post_code = self.text(adresse, "codepostal")
        city = (ax.get("ville") or [(self.text(adresse, "ville"), None)])[0][0]
        code_insee = self.text(adresse, "code-INSEE-commune")
        place_id = adresse.get("numero")
        if not place_id:
            digest = hashlib.sha1("|".join([structure_id, address, complement, post_code, city, code_insee]).encode())
            place_id = f"{structure_id}:lieu-{digest.hexdigest()[:12]}"
        return PlaceRecord(
            source_id=place_id,
            address="" if address == "-" else address,
            address_complement="" if complement == "-" else complement,
            post_code=post_code,
            city=city,
            code_insee=code_insee,
            name=name,
            latitude=lat,
            longitude=lon,
            step_free_access=parse_bool((x.get("acces-fauteuil") or [(None, None)])[0][0]),
            location_is_approximate=bool(parse_bool((x.get("localisation-approximative") or [(None, None)])[0][0])),
        )

    # --- lheo-index ------------------------------------------------------------------------------------

    def _resume(self, elem):
        record_id = elem.get("numero") or f"resume-offre@{elem.sourceline}"
        location = self._line % {"line": elem.sourceline}
        kept = yield from self._keep(elem, record_id, location)
        if kept is None:
            return
        warnings = []
        organisme = self.find(elem, "nom-organisme")
        name = (organisme.text or "").strip() if organisme is not None else ""
        siret = self.text(elem, "SIRET")
        if siret and not (len(siret) == 14 and siret.isdigit()):
            warnings.append(_("SIRET invalide « %(siret)s » (14 chiffres attendus), ignoré") % {"siret": siret})
            siret = ""
        structure_id = (organisme.get("numero") if organisme is not None else "") or siret or "nom:" + fold(name)
        structure = StructureRecord(
            source=self.source, source_id=structure_id, name=name, siret=siret, kind=enums.StructureKind.TRAINING_BODY
        )
        geo = {
            extra.get("info"): parse_float(extra.text)
            for extras in self.all(elem, "extras")
            if extras.get("info") == "geolocalisation"
            for extra in self.all(extras, "extra")
        }
        place = PlaceRecord(
            source_id=f"{structure_id}:{self.text(elem, 'code-INSEE-commune')}",
            address=self.text(elem, "session/adresse-inscription/adresse/ligne").strip("-"),
            post_code=self.text(elem, "codepostal"),
            city=self.text(elem, "ville"),
            code_insee=self.text(elem, "code-INSEE-commune"),
            latitude=geo.get("latitude"),
            longitude=geo.get("longitude"),
        )
        title = self.text(elem, "intitule-formation")
        audiences = {}
        for code in self.texts(elem, "code-public-vise"):
            for value in sorted(self.publics.get(code, ())):
                audiences[value] = enums.AudienceMode.PRIORITY
        sessions = []
        for index, node in enumerate(self.all(elem, "session"), start=1):
            session_id = f"{record_id}:{index}"
            sessions.append(
                SessionRecord(
                    source_id=session_id,
                    starts_on=self._date(node, "periode/debut", False, session_id, warnings),
                    ends_on=self._date(node, "periode/fin", True, session_id, warnings),
                )
            )
        yield CourseRecord(
            source=self.source,
            source_id=record_id,
            structure=structure,
            place=place,
            name=title,
            course_type=self._course_type(title, kept),
            location=location,
            total_hours=parse_int(self.text(elem, "nombre-heures-total"), warnings, "nombre-heures-total"),
            is_free=False,
            modality=c.MODALITY_FROM_LHEO.get(self.text(elem, "modalites-enseignement"), enums.Modality.ON_SITE),
            formacode=kept[0],
            rncp_code=self.text(elem, "certification/code-RNCP")[:10],
            rs_code=self.text(elem, "certification/code-RS")[:10],
            audiences=audiences,
            sessions=sessions,
            source_url=elem.get("file", "")[:500],
            warnings=warnings,
        )
