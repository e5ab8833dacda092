"""The walk of an LHEO 2.2 / 2.3 XML file: the safe parser, the check of its root, the schema, and the streamed
iteration over its items with fast child lookups. What an element means is read by reader.py.

- Safety: entities are never resolved, no DTD is loaded, the network is off, and a document whose DTD declares
  entities (XXE, "billion laughs") is refused before anything is read.
- Streaming: `lxml.etree.iterparse` on one item tag, each element cleared once read, so memory stays flat
  whatever the file size.
"""

import copy
from functools import lru_cache
from typing import Any, TypedDict

from django.utils.translation import gettext as _
from lxml import etree

from cartolangue.interop.errors import ImportFileError
from cartolangue.interop.lheo import conventions as c


class ParserOptions(TypedDict):
    resolve_entities: bool
    no_network: bool
    load_dtd: bool
    huge_tree: bool


# The carto-langue extras of a node: {info: [(value, <extra> element)…]}; the readers fall back on (default, None).
Extras = dict[str, list[tuple[Any, Any]]]

PARSER_OPTIONS: ParserOptions = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


@lru_cache(maxsize=1)
def lheo_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(c.XSD_PATH)))


def sniff(path: str) -> tuple[str, str]:
    """(namespace, root name) of an LHEO file, refusing what is not LHEO or declares entities."""
    try:
        with open(path, "rb") as stream:
            return _sniff_root(path, stream)
    except etree.XMLSyntaxError as exc:
        raise ImportFileError(xml_error(path, exc)) from exc


def _sniff_root(path, stream):
    for _event, root in etree.iterparse(stream, events=("start",), **PARSER_OPTIONS):
        dtd = root.getroottree().docinfo.internalDTD
        if dtd is not None and (bool(list(dtd.iterentities())) or bool(list(dtd.elements()))):
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


def xml_error(path: str, exc: etree.XMLSyntaxError) -> str:
    line = exc.lineno or (exc.position[0] if exc.position else "?")
    return _("%(file)s, ligne %(line)s : XML illisible : %(error)s") % {"file": path, "line": line, "error": exc.msg}


class LheoWalk:
    """The streamed walk over the items of an LHEO file and the child lookups its readers use (`find`, `text`,
    `all`, `extras`), indexed once per item. A reader subclasses it and sets `ns` before walking."""

    ns: str
    _extras_tag: str  # the qualified tags of <extras> and <extra>, set with `ns`
    _extra_tag: str

    def __init__(self, *, validate: bool = True) -> None:
        self.validate = validate
        self._index: dict[
            etree._Element, dict[str, etree._Element]
        ] = {}  # node → {tag: first child}, for the formation being read (see `_kids`)
        self._repeated: dict[
            etree._Element, dict[str, list[etree._Element]]
        ] = {}  # node → {tag: [children]} for the tags that repeat among its children
        self._paths: dict[str, tuple[str, ...]] = {}  # "a/b" → ("{ns}a", "{ns}b")

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
            assert parent is not None  # an item is never the root
            while elem.getprevious() is not None:
                del parent[0]

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
            tags = self._paths[path] = child_tags(self.ns, path)
        return tags

    def all(self, node: etree._Element, path: str) -> list[etree._Element]:
        """Every node at `path` under `node`, in document order (ElementPath's `findall`)."""
        children = self._children
        tags = self._paths.get(path) or self._steps(path)
        if len(tags) == 1:
            return list(children(node, tags[0]))
        nodes = [node]
        for tag in tags:
            nodes = [child for parent in nodes for child in children(parent, tag)]
        return nodes

    def find(self, node: etree._Element | None, path: str) -> etree._Element | None:
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
                every = self.all(node, path)
                return every[0] if every else None
            found = child
        return found

    def text(self, node: etree._Element | None, path: str) -> str:
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
                first = self.find(node, path)
                if first is None:
                    return ""
                found = first
                break
            found = child
        text = found.text
        return text.strip() if text else ""

    def texts(self, node: etree._Element, path: str) -> list[str]:
        return [text for text in ((n.text or "").strip() for n in self.all(node, path)) if text]

    def extras(self, node: etree._Element | None) -> Extras:
        """The carto-langue extras of a node: {info: [(value, <extra> element), …]}.

        Attributes are the dearest thing to read from lxml: the `tag` attribute, which only `public` and
        `creneau` carry, is left to them (`extra.get("tag")`)."""
        found: Extras = {}
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

    def schema_defects(self, elem: etree._Element) -> list[tuple[int, str]]:
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


@lru_cache(maxsize=512)
def child_tags(ns: str, path: str) -> tuple[str, ...]:
    """The qualified tags of a child path: "periode/debut" → ("{ns}periode", "{ns}debut")."""
    parts = path.split("/")
    if any(part in {"", ".", "..", "*"} or part.startswith("[") for part in parts):
        raise ValueError(f"only child steps are supported: {path!r}")
    return tuple(f"{{{ns}}}{part}" for part in parts)
