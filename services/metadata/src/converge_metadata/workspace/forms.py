"""The record form <-> the API's record JSON, by the fields of ``form_fields.RECORD_FORM``:

- :func:`state_from_record` fills a form from a stored record (terms shown as
  ``Label (id)``);
- :func:`document_from_state` turns what the browser sent into the API's record JSON, and
  says where each JSON member came from, so that an error's JSON pointer finds its field
  (:meth:`Mapped.field_for`);
- the templates draw the form from the same nodes (``record_form_fields.html``).

A form field's name is its path: ``/creators/0/orcid``, ``/dataset/distributions/1/format``.
Indexes in a name count the form's rows, which may differ from the JSON's (a blank row is left
out of the JSON), hence the map. The titles and descriptions are one row per language:
``/texts/0/lang``, ``/texts/0/title``, ``/texts/0/description``.

Nothing here judges a value: it is passed on as typed, and the API's validation
(``records.editing``) decides, so the form and the API can never disagree about a rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from converge_metadata.terms.index import TermIndex, fold
from converge_metadata.workspace.form_fields import (
    TEXTS,
    Field,
    Group,
    Node,
    Repeat,
    parts_for,
    repeat_at,
)

__all__ = [
    "MAX_ROWS",
    "FormState",
    "Mapped",
    "Resolver",
    "document_from_state",
    "state_from_form",
    "state_from_record",
    "term_display",
    "term_resolver",
]

# rows of one repeated group, and characters of one value, that a form may send
MAX_ROWS = 100
MAX_VALUE = 20_000
MAX_FIELDS = 4_000
_ROWS = "rows:"
_EXACT_LIMIT = 20
_CHOICES = frozenset({"select", "radios"})
_TERM_WITH_ID = re.compile(r"^(?P<label>.*?)\s*\((?P<id>[^()]+)\)\s*$")


# (vocabulary, text) -> the term id the text names, or the text itself when it names none
Resolver = Callable[[str, str], str]


def term_display(term: Mapping[str, Any] | str, vocabulary: str) -> str:
    """A stored term as the picker shows it, ``Proteomics (topic_0121)``, which reads back."""
    if isinstance(term, str):
        return term
    uri = str(term.get("uri", ""))
    short = _short_id(uri, vocabulary)
    label = term.get("label")
    return f"{label} ({short})" if label else short


def _short_id(uri: str, vocabulary: str) -> str:
    for prefix in (
        "http://edamontology.org/",
        "http://purl.obolibrary.org/obo/NCBITaxon_",
    ):
        if uri.startswith(prefix):
            return uri[len(prefix) :]
    if vocabulary == "duo" and uri.startswith("http://purl.obolibrary.org/obo/DUO_"):
        return "DUO:" + uri.rsplit("_", 1)[1]
    return uri


@dataclass
class FormState:
    """What a form holds: each field's value by path, and the rows of each repeated group."""

    record_type: str
    values: dict[str, list[str]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)

    def value(self, path: str) -> str:
        found = self.values.get(path)
        return found[0] if found else ""

    def all(self, path: str) -> list[str]:
        return self.values.get(path, [])

    def row_count(self, path: str, repeat: Repeat) -> int:
        return self.rows.get(path, repeat.min_rows)

    def text_rows(self) -> int:
        return self.rows.get(TEXTS, 1)

    def pairs(self) -> list[tuple[str, str]]:
        """Every value and row count as form fields (a conflict page carries the edit on)."""
        out = [(f"{_ROWS}{path}", str(count)) for path, count in sorted(self.rows.items())]
        out.extend((path, v) for path, values in self.values.items() for v in values)
        return out

    def add_row(self, path: str) -> None:
        """One more row in the repeated group at ``path`` (a path that names none is ignored)."""
        current = self.rows.get(path)
        if current is None:
            repeat = repeat_at(path)
            if path != TEXTS and repeat is None:
                return
            current = repeat.min_rows if repeat is not None else 1
        self.rows[path] = min(current + 1, MAX_ROWS)

    def remove_row(self, path: str) -> None:
        """Drop the row at ``path`` (``/creators/1``), moving the rows below it up."""
        container, _, index_text = path.rpartition("/")
        if not index_text.isdigit() or container not in self.rows:
            return
        index, count = int(index_text), self.rows[container]
        prefix = container + "/"
        moved: dict[str, list[str]] = {}
        for name, values in self.values.items():
            if not name.startswith(prefix):
                moved[name] = values
                continue
            head, sep, rest = name[len(prefix) :].partition("/")
            if not head.isdigit() or int(head) == index:
                continue
            row = int(head) - (1 if int(head) > index else 0)
            moved[f"{prefix}{row}{sep}{rest}"] = values
        self.values = moved
        self.rows[container] = max(count - 1, 0)


def state_from_form(record_type: str, items: Iterable[tuple[str, str]]) -> FormState:
    """The form fields a browser sent (only paths and row counts, bounded in number and size)."""
    state = FormState(record_type)
    for count, (name, value) in enumerate(items):
        if count >= MAX_FIELDS:
            break
        if name.startswith(_ROWS):
            if value.isdigit():
                state.rows[name[len(_ROWS) :]] = min(int(value), MAX_ROWS)
        elif name.startswith("/") and len(name) <= 200:
            state.values.setdefault(name, []).append(value[:MAX_VALUE])
    return state


# --- record JSON -> form --------------------------------------------------------------------


def state_from_record(document: Mapping[str, Any]) -> FormState:
    """A form filled with ``document`` (a record as the API reads it)."""
    state = FormState(str(document.get("type", "Dataset")))
    title = document.get("title") or {}
    description = document.get("description") or {}
    languages = list(dict.fromkeys([*title, *description])) or ["en"]
    for row, lang in enumerate(languages):
        state.values[f"{TEXTS}/{row}/lang"] = [lang]
        state.values[f"{TEXTS}/{row}/title"] = [str(title.get(lang, ""))]
        state.values[f"{TEXTS}/{row}/description"] = [str(description.get(lang, ""))]
    state.rows[TEXTS] = len(languages)
    for node in parts_for(state.record_type):
        _fill(state, node, "", document)
    return state


def _fill(state: FormState, node: Node, prefix: str, container: Mapping[str, Any]) -> None:
    path = f"{prefix}/{node.key}" if node.key else prefix
    value = container.get(node.key) if node.key else container
    if isinstance(node, Field):
        shown = _shown(node, value)
        if shown:
            state.values[path] = shown
    elif isinstance(node, Group):
        if isinstance(value, Mapping):
            for member in node.members:
                _fill(state, member, path, value)
    else:
        items = value if isinstance(value, list) else []
        state.rows[path] = max(len(items), node.min_rows)
        for index, item in enumerate(items):
            _fill_item(state, node.item, f"{path}/{index}", item)


def _fill_item(state: FormState, item: Group | Field, path: str, value: Any) -> None:
    if isinstance(item, Field):
        shown = _shown(item, value)
        if shown:
            state.values[path] = shown
    elif isinstance(value, Mapping):
        for member in item.members:
            _fill(state, member, path, value)


def _shown(node: Field, value: Any) -> list[str]:
    if value is None:
        return []
    if node.kind == "checkbox":
        return ["on"] if value is True else []
    if node.kind == "lines":
        return ["\n".join(str(v) for v in value)] if isinstance(value, list) else [str(value)]
    if node.kind == "duo":
        terms = value if isinstance(value, list) else [value]
        return [
            _short_id(str(t.get("uri", "")), "duo") if isinstance(t, Mapping) else str(t)
            for t in terms
        ]
    if node.kind == "term":
        return [term_display(value, node.vocabulary or "")]
    if isinstance(value, date | datetime):
        return [value.isoformat()]
    return [str(value)]


# --- form -> record JSON --------------------------------------------------------------------


@dataclass
class Mapped:
    """The record JSON a form gives, and where each of its members came from."""

    document: dict[str, Any]
    # JSON pointer -> form path of the field or fieldset that gave it
    sources: dict[str, str] = field(default_factory=dict)

    def field_for(self, pointer: str) -> str | None:
        """The form path an error at ``pointer`` belongs to: the pointer's own field, else the
        nearest enclosing one the form has (``/creators/0`` for a rule of the whole
        creator; ``/course/start_date/date`` for a union's branch)."""
        current = pointer
        while current:
            if current in self.sources:
                return self.sources[current]
            current = current.rpartition("/")[0]
        return None


def document_from_state(state: FormState, *, resolve: Resolver, status: str) -> Mapped:
    """The API's record JSON from a form; a blank value, row or group is left out."""
    mapped = Mapped({"type": state.record_type, "status": status})
    _texts(state, mapped)
    for node in parts_for(state.record_type):
        value = _value(state, node, "", "", mapped, resolve)
        if value is not None:
            mapped.document[node.key] = value
    return mapped


def _texts(state: FormState, mapped: Mapped) -> None:
    title: dict[str, str] = {}
    description: dict[str, str] = {}
    first = f"{TEXTS}/0/title"
    mapped.sources["/title"] = first
    mapped.sources["/description"] = f"{TEXTS}/0/description"
    for row in range(state.text_rows()):
        base = f"{TEXTS}/{row}"
        lang = state.value(f"{base}/lang").strip()
        text, about = (
            state.value(f"{base}/title").strip(),
            state.value(f"{base}/description").strip(),
        )
        if not (text or about):
            continue
        lang = lang or "en"
        if text:
            title[lang] = text
            mapped.sources[f"/title/{_escape(lang)}"] = f"{base}/title"
        if about:
            description[lang] = about
            mapped.sources[f"/description/{_escape(lang)}"] = f"{base}/description"
    mapped.document["title"] = title
    if description:
        mapped.document["description"] = description


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def _value(
    state: FormState,
    node: Node,
    form_prefix: str,
    json_prefix: str,
    mapped: Mapped,
    resolve: Resolver,
) -> Any:
    form_path = f"{form_prefix}/{node.key}" if node.key else form_prefix
    json_path = f"{json_prefix}/{node.key}" if node.key else json_prefix
    mapped.sources.setdefault(json_path, form_path)
    if isinstance(node, Field):
        return _field_value(state, node, form_path, resolve)
    if isinstance(node, Group):
        members = {}
        for member in node.members:
            value = _value(state, member, form_path, json_path, mapped, resolve)
            if value is not None:
                members[member.key] = value
        return members or None
    items: list[Any] = []
    for row in range(state.row_count(form_path, node)):
        row_path = f"{form_path}/{row}"
        item_json = f"{json_path}/{len(items)}"
        sources: dict[str, str] = {}
        value = _value(state, node.item, row_path, item_json, Mapped({}, sources), resolve)
        if value is not None and not _only_choices(node.item, value):
            mapped.sources.update(sources)
            items.append(value)
    return items or None


def _only_choices(item: Group | Field, value: Any) -> bool:
    """A row that holds nothing but what its lists and buttons offer first (a creator's
    kind, an identifier's scheme) is a row nobody filled in."""
    if not isinstance(item, Group) or not isinstance(value, dict):
        return False
    kinds = {m.key: m.kind for m in item.members if isinstance(m, Field)}
    return all(kinds.get(key) in _CHOICES for key in value)


def _field_value(state: FormState, node: Field, path: str, resolve: Resolver) -> Any:
    if node.kind == "duo":
        return [v.strip() for v in state.all(path) if v.strip()] or None
    raw = state.value(path)
    if node.kind == "checkbox":
        return True if raw else None
    if node.kind == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()] or None
    text = raw.strip()
    if not text:
        return None
    if node.kind == "term" and node.vocabulary:
        return resolve(node.vocabulary, text)
    return text


def term_resolver(index: TermIndex) -> Resolver:
    """What a picker's text names, looked up in ``index``: an id, ``Label (id)`` as the picker
    shows a term, or a label or synonym that names exactly one term. Text that names no term,
    or several, is passed on as typed, for the validation to name the field."""

    def resolve(vocabulary: str, text: str) -> str:
        found = index.get(vocabulary, text)
        if found is not None:
            return found.id
        match = _TERM_WITH_ID.match(text)
        if match:
            found = index.get(vocabulary, match.group("id"))
            if found is not None:
                return found.id
        exact = {
            m.term.id
            for m in index.search(vocabulary, text, limit=_EXACT_LIMIT)
            if fold(m.matched) == fold(text)
        }
        return exact.pop() if len(exact) == 1 else text

    return resolve
