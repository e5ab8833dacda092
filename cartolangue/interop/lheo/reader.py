"""LHEO 2.2 / 2.3 XML → normalised records, streamed: `lxml.etree.iterparse` on `formation` (or
`resume-offre` for the lheo-index summary format), each element cleared once read, so memory stays flat
whatever the file size.

- Safety: entities are never resolved, no DTD is loaded, the network is off, and a document whose DTD
  declares entities (XXE, "billion laughs") is refused before anything is read.
- Each formation is checked against the official XSD (2.2 files once their namespace is swapped, which is
  how LHEO 2.2 data validates against 2.3); defects are reported with their line, and the record is still
  imported when what Carto-Langue needs is there.
- Only language courses are kept, by Formacode (data/interop/formacodes-langue.csv, or `formacodes`).
- One course per action and place: an action given at two places is two courses (`<action id>@2`).
- A big file is read in a forked child process while the parent writes what was read (see `LheoReader`).
"""

import copy
import hashlib
import os
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from lxml import etree

from cartolangue.interop.background import can_fork, read_in_child
from cartolangue.interop.common import course_type_from_text
from cartolangue.interop.errors import ImportFileError
from cartolangue.interop.html import html_to_text
from cartolangue.interop.lheo import conventions as c
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

PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}
ZERO_SIRET = "0" * 14
BOOLEANS = {"1": True, "0": False}


@lru_cache(maxsize=1)
def lheo_schema():
    return etree.XMLSchema(etree.parse(str(c.XSD_PATH)))


def sniff(path):
    """(namespace, root name) of an LHEO file, refusing what is not LHEO or declares entities."""
    try:
        with open(path, "rb") as stream:
            return _sniff_root(path, stream)
    except etree.XMLSyntaxError as exc:
        raise ImportFileError(_xml_error(path, exc)) from exc


def _sniff_root(path, stream):
    for _event, root in etree.iterparse(stream, events=("start",), **PARSER_OPTIONS):
        dtd = root.getroottree().docinfo.internalDTD
        if dtd is not None and (list(dtd.iterentities()) or list(dtd.elements())):
            raise ImportFileError(
                _(
                    "%(file)s : DTD interne refusée (déclarations d'entités ou d'éléments) : "
                    "un fichier LHEO n'en a pas besoin"
                )
                % {"file": path}
            )
        qname = etree.QName(root)
        if qname.localname not in {"lheo", "lheo-index"}:
            raise ImportFileError(
                _(
                    "%(file)s, ligne %(line)s : élément racine <%(root)s>, "
                    "ce n'est pas un fichier LHEO (<lheo> attendu)"
                )
                % {"file": path, "line": root.sourceline, "root": qname.localname}
            )
        if qname.namespace not in c.NAMESPACES:
            raise ImportFileError(
                _(
                    "%(file)s, ligne %(line)s : espace de noms « %(ns)s » inconnu ; attendu LHEO 2.2 (%(ns22)s) "
                    "ou 2.3 (%(ns23)s)"
                )
                % {
                    "file": path,
                    "line": root.sourceline,
                    "ns": qname.namespace or "",
                    "ns22": c.NS22,
                    "ns23": c.NS23,
                }
            )
        return qname.namespace, qname.localname
    raise ImportFileError(_("%(file)s : fichier vide") % {"file": path})


def _xml_error(path, exc):
    line = exc.lineno or (exc.position[0] if exc.position else "?")
    return _("%(file)s, ligne %(line)s : XML illisible : %(error)s") % {"file": path, "line": line, "error": exc.msg}


class LheoReader:
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
        self.validate = validate
        self.background = background
        self.publics = c.public_code_map()
        self._index = {}  # node → {tag: first child}, for the formation being read (see `_kids`)
        self._repeated = {}  # node → {tag: [children]} for the tags that repeat among its children
        self._paths = {}  # "a/b" → ("{ns}a", "{ns}b")
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
        self._extras_tag, self._extra_tag = _tags(ns, "extras")[0], _tags(ns, "extra")[0]
        self._line = _("ligne %(line)s")
        item = "formation" if root == "lheo" else "resume-offre"
        read = self._formation if root == "lheo" else self._resume
        try:
            with open(self.path, "rb") as stream:
                yield from self._iterate(stream, ns, item, read)
        except etree.XMLSyntaxError as exc:
            raise ImportFileError(_xml_error(self.path, exc)) from exc

    def _iterate(self, stream, ns, item, read):
        for _event, elem in etree.iterparse(
            stream, events=("end",), tag=f"{{{ns}}}{item}", remove_blank_text=True, **PARSER_OPTIONS
        ):
            try:
                yield from read(elem)
            finally:
                self._index.clear()
                self._repeated.clear()
            elem.clear(keep_tail=False)
            parent = elem.getparent()
            while elem.getprevious() is not None:
                del parent[0]

    # --- helpers ---------------------------------------------------------------------------------------

    # A formation is read through some fifty lookups of a child path per action: the reader's hot loop.
    # lxml's `find` goes through ElementPath, a few microseconds a call; instead each node read gets its
    # children indexed by tag once (`_kids`), and the index is dropped with the formation. Paths are plain
    # child steps, matched in document order as ElementPath does (first match: the first child of the first
    # parent that has one). Most of the time left goes to lxml itself: a proxy object and a tag string for
    # each child indexed, two attribute reads for each extra; the helpers keep their own overhead low.

    def _kids(self, node):
        """{tag: first child with that tag} of a node, built once per formation (reading `.tag` builds a
        new string). When a tag repeats, its children also go to `_repeated`, for `_children`."""
        kids = self._index.get(node)
        if kids is None:
            kids = self._index[node] = {}
            first_with = kids.setdefault
            for child in node:
                tag = child.tag
                first = first_with(tag, child)
                if first is not child:
                    self._repeated.setdefault(node, {}).setdefault(tag, [first]).append(child)
        return kids

    def _children(self, node, tag):
        """The children of a node that have a tag, in document order."""
        child = (self._index.get(node) or self._kids(node)).get(tag)
        if child is None:
            return ()
        repeated = self._repeated.get(node)
        if repeated is None or tag not in repeated:
            return (child,)
        return repeated[tag]

    def _steps(self, path):
        tags = self._paths.get(path)
        if tags is None:
            tags = self._paths[path] = _tags(self.ns, path)
        return tags

    def all(self, node, path):
        """Every node at `path` under `node`, in document order (ElementPath's `findall`)."""
        children = self._children
        tags = self._paths.get(path) or self._steps(path)
        if len(tags) == 1:
            return list(children(node, tags[0]))
        nodes = [node]
        for tag in tags:
            nodes = [child for parent in nodes for child in children(parent, tag)]
        return nodes

    def find(self, node, path):
        """The first node at `path` under `node`, or None (ElementPath's `find`).

        Following the first child at each step finds it when that branch goes all the way down (it is then
        the first in document order); only a branch that stops short needs the full search."""
        if node is None:
            return None
        index = self._index
        found = node
        for tag in self._paths.get(path) or self._steps(path):
            child = (index.get(found) or self._kids(found)).get(tag)
            if child is None:
                if found is node:
                    return None
                found = self.all(node, path)
                return found[0] if found else None
            found = child
        return found

    def text(self, node, path):
        """The stripped text of `find(node, path)`, "" when there is none."""
        if node is None:
            return ""
        index = self._index
        found = node
        for tag in self._paths.get(path) or self._steps(path):  # `find`, inlined: the commonest lookup
            child = (index.get(found) or self._kids(found)).get(tag)
            if child is None:
                if found is node:
                    return ""
                found = self.find(node, path)
                if found is None:
                    return ""
                break
            found = child
        text = found.text
        return text.strip() if text else ""

    def texts(self, node, path):
        return [text for text in ((n.text or "").strip() for n in self.all(node, path)) if text]

    def extras(self, node):
        """The carto-langue extras of a node: {info: [(value, <extra> element), …]}.

        Attributes are the dearest thing to read from lxml: the `tag` attribute, which only `public` and
        `creneau` carry, is left to them (`extra.get("tag")`)."""
        found = {}
        if node is None:
            return found
        extra_tag = self._extra_tag
        for extras in self._children(node, self._extras_tag):
            if extras.get("info") != c.EXTRAS_INFO:
                continue
            for extra in extras:  # cheaper than `iterchildren(tag)`, whose tag matcher is built per call
                if extra.tag == extra_tag:
                    text = extra.text
                    found.setdefault(extra.get("info", ""), []).append((text.strip() if text else "", extra))
        return found

    def schema_defects(self, elem):
        if not self.validate:
            return []
        target = elem
        if self.ns != c.NS23:
            target = copy.deepcopy(elem)
            for node in target.iter(f"{{{self.ns}}}*"):
                node.tag = f"{{{c.NS23}}}{etree.QName(node).localname}"
        schema = lheo_schema()
        if schema.validate(target):
            return []
        return [(e.line, e.message.replace(f"{{{c.NS23}}}", "")) for e in schema.error_log]

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
            self._stamps[key] = _stamp(*key)
        return self._stamps[key]

    def _course_type(self, name, formacodes):
        key = (name, tuple(formacodes))
        if key not in self._course_types:
            if len(self._course_types) > 10_000:
                self._course_types.clear()
            self._course_types[key] = _course_type(name, formacodes)
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
            "cecrl_level_target": _level(one("niveau-vise"), warnings),
            "entry_level_oral": _level(one("niveau-entree-oral"), warnings),
            "entry_level_written": _level(one("niveau-entree-ecrit"), warnings),
            "hours_per_week": _decimal(one("heures-par-semaine"), warnings, "heures-par-semaine"),
            "total_hours": _int(self.text(action, "nombre-heures-total"), warnings, "nombre-heures-total"),
            "modality": c.MODALITY_FROM_LHEO.get(self.text(action, "modalites-enseignement"), enums.Modality.ON_SITE),
            "registration_mode": one("inscription", ""),
            "childcare": _bool(one("garde-enfants")),
            "places_available": _bool(one("places-disponibles")),
            "formacode": one("formacode") if "formacode" in x else formacodes[0],
            "rs_code": self.text(formation, "certification/code-RS")[:10],
            "rncp_code": self.text(formation, "certification/code-RNCP")[:10],
            "certifications": [v for v, _extra in x.get("certification", [])],
            "verified_on": _date(one("verifie-le")),
            "source_url": self.text(action, "url-action/urlweb") or self.text(formation, "url-formation/urlweb"),
            "cost_details": one("precisions-cout") or self.text(action, "frais-restants"),
        }
        if fields["source_url"] and not fields["source_url"].startswith(("http://", "https://")):
            fields["source_url"] = "https://" + fields["source_url"]
        price = _decimal(self.text(action, "prix-total-TTC"), warnings, "prix-total-TTC")
        if "type-cours" in x:  # carto-langue extras: no "gratuit" means the cost is not known
            fields["is_free"] = _bool(one("gratuit"))
            fields["cost_amount"] = _decimal(one("cout"), warnings, "cout")
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
        fields["contact_public"], fields["contact_role"] = _contact_kind(
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
            seats = _int((x.get("places") or [("", None)])[0][0], warnings, "places")
            seats_left = _int((x.get("places-restantes") or [("", None)])[0][0], warnings, "places-restantes")
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
            value, partial = _parse_date(raw, end)
        except c.LheoDateError:
            warnings.append(_("session %(id)s : date illisible « %(raw)s »") % {"id": session_id, "raw": raw})
            return None
        if partial:
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
            website=(x.get("site") or [(_url(website), None)])[0][0],
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
            _float(self.text(adresse, "geolocalisation/latitude")),
            _float(self.text(adresse, "geolocalisation/longitude")),
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
            step_free_access=_bool((x.get("acces-fauteuil") or [(None, None)])[0][0]),
            location_is_approximate=bool(_bool((x.get("localisation-approximative") or [(None, None)])[0][0])),
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
            extra.get("info"): _float(extra.text)
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
            total_hours=_int(self.text(elem, "nombre-heures-total"), warnings, "nombre-heures-total"),
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


@lru_cache(maxsize=512)
def _tags(ns, path):
    """The qualified tags of a child path: "periode/debut" → ("{ns}periode", "{ns}debut")."""
    parts = path.split("/")
    if any(part in {"", ".", "..", "*"} or part.startswith("[") for part in parts):
        raise ValueError(f"only child steps are supported: {path!r}")
    return tuple(f"{{{ns}}}{part}" for part in parts)


def _course_type(name, formacodes):
    """The type the title names (ASL, OEPRE, FOS, DELF…), else the Formacode's, else FLE."""
    named = course_type_from_text(name)
    if named:
        return named
    for code in formacodes:
        if code in c.COURSE_TYPE_FROM_FORMACODE:
            return c.COURSE_TYPE_FROM_FORMACODE[code]
    return enums.CourseType.FLE


@lru_cache(maxsize=4096)
def _parse_date(text, end=False):
    """`parse_lheo_date`, cached: a file repeats the same few hundred dates."""
    return c.parse_lheo_date(text, end=end)


def _stamp(raw, datemaj):
    if raw:
        value = parse_datetime(raw)
        if value is not None:
            return value if timezone.is_aware(value) else timezone.make_aware(value)
    raw = datemaj
    if raw:
        try:
            value, _partial = _parse_date(raw)
        except c.LheoDateError:
            return None
        if value:
            return datetime(value.year, value.month, value.day, tzinfo=timezone.get_current_timezone())
    return None


def _level(label, warnings):
    if not label:
        return None
    if label not in c.LEVEL_LABELS:
        warnings.append(_("niveau CECRL inconnu « %(v)s », ignoré") % {"v": label})
        return None
    return c.LEVEL_LABELS[label]


def _bool(value):
    return BOOLEANS.get((value or "").strip())


def _float(value):
    try:
        number = float((value or "").replace(",", "."))
    except ValueError:
        return None
    return number if number == number else None  # NaN


def _int(value, warnings, field):
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        warnings.append(_("%(field)s illisible : « %(v)s »") % {"field": field, "v": value})
        return None
    return number if number >= 0 else None


# LHEO dict-type-contact: 4 "Accueil" is the organisation's reception desk, published for the public to call; the
# referents (handicap 1, mobility 2, teaching 3, quality 6, company 7, FOAD 12, VAE 13, apprenticeship 14) are
# people inside the organisation, and the others (direction, finance…) are not the public's contact either.
LHEO_PUBLIC_CONTACT_TYPES = frozenset({"4"})
LHEO_REFERENT_CONTACT_TYPES = frozenset({"1", "2", "3", "6", "7", "12", "13", "14"})


def _contact_kind(type_contact: str) -> tuple[bool, str]:
    """(public contact point?, ContactRole value) of a `contact-formation` by its `type-contact` (ADR 0019)."""
    if type_contact in LHEO_PUBLIC_CONTACT_TYPES:
        return True, ""  # no role: shown as "Accueil", and written back as type 4
    if type_contact in LHEO_REFERENT_CONTACT_TYPES:
        return False, enums.ContactRole.REFERENT.value
    return False, ""


def _decimal(value, warnings, field):
    value = (value or "").strip().replace(",", ".").replace("€", "").strip()
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        warnings.append(_("%(field)s illisible : « %(v)s »") % {"field": field, "v": value})
        return None
    return number if number.is_finite() and number >= 0 else None


def _date(value):
    try:
        parsed, _partial = _parse_date(value or "")
    except c.LheoDateError:
        return None
    return parsed


def _url(value):
    if value and not value.startswith(("http://", "https://")):
        return "https://" + value
    return value
