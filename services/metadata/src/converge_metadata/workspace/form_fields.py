"""The record form's fields: one description that mirrors the record schema member by member.

:data:`RECORD_FORM` follows :class:`~converge_metadata.records.schemas.RecordBase` (a test
checks that every member of every model has its field); ``forms`` maps a form to the API's
record JSON by it and the templates draw the form from it (``record_form_fields.html``).

A field's path is its name in the form: ``/creators/0/orcid``; rows count from 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ID_FIELD",
    "RECORD_FORM",
    "TEXTS",
    "TEXT_FIELDS",
    "Field",
    "Group",
    "Node",
    "Repeat",
    "field_id",
    "label_for",
    "parts_for",
    "repeat_at",
]

Kind = Literal[
    "text",
    "textarea",
    "url",
    "email",
    "date",
    "number",
    "select",
    "radios",
    "checkbox",
    "lines",
    "term",
    "duo",
    "licence",
    "orcid",
]
TEXTS = "/texts"


@dataclass(frozen=True)
class Field:
    """One value: a JSON member that holds a string, number, date, flag or term."""

    key: str
    label: str
    kind: Kind = "text"
    hint: str | None = None
    choices: tuple[tuple[str, str], ...] = ()
    vocabulary: str | None = None  # a term picker's vocabulary (GET /api/v1/terms)
    autocomplete: str | None = None
    # (sibling field, value): with JavaScript, shown only while that sibling has that value
    shown_when: tuple[str, str] | None = None
    form_kind = "field"


@dataclass(frozen=True)
class Group:
    """A JSON object, drawn as a fieldset; left out of the JSON when every member is blank.
    ``types`` limits a record part to the record types that have it."""

    key: str
    legend: str
    members: tuple[Node, ...]
    hint: str | None = None
    types: frozenset[str] | None = None
    shown_when: tuple[str, str] | None = None
    form_kind = "group"


@dataclass(frozen=True)
class Repeat:
    """A JSON array of objects or of values, one row per item, rows added and removed."""

    key: str
    legend: str
    item: Group | Field
    add_label: str
    hint: str | None = None
    min_rows: int = 1
    form_kind = "repeat"


Node = Field | Group | Repeat


def _choices(*values: str) -> tuple[tuple[str, str], ...]:
    return tuple((v, v) for v in values)


def _term(key: str, label: str, vocabulary: str, hint: str | None = None) -> Field:
    return Field(key, label, "term", hint=hint, vocabulary=vocabulary)


def _terms(key: str, legend: str, vocabulary: str, item: str, add: str, hint: str) -> Repeat:
    return Repeat(key, legend, _term("", item, vocabulary), add, hint=hint)


def _agent(legend: str, *extra: Field) -> Group:
    return Group(
        "",
        legend,
        (
            Field(
                "type",
                "Kind",
                "select",
                choices=(("Person", "Person"), ("Organization", "Organisation")),
            ),
            Field("name", "Name", autocomplete="off"),
            Field("orcid", "ORCID iD", "orcid", hint="e.g. 0000-0002-1825-0097"),
            Field("affiliation", "Affiliation"),
            *extra,
        ),
    )


_DISTRIBUTION = Group(
    "",
    "Distribution",
    (
        Field("title", "Title"),
        Field("access_url", "Access URL", "url", hint="A page where the data can be requested"),
        Field("download_url", "Download URL", "url"),
        Field("media_type", "Media type", hint="e.g. text/csv"),
        _term("format", "Format (EDAM)", "edam_format"),
        Field("byte_size", "Size in bytes", "number"),
        Group(
            "checksum",
            "Checksum",
            (
                Field(
                    "algorithm",
                    "Algorithm",
                    "select",
                    choices=_choices("", "md5", "sha1", "sha256", "sha512"),
                ),
                Field("value", "Value (hexadecimal)"),
            ),
        ),
    ),
)

RECORD_FORM = Group(
    "",
    "Record",
    (
        Field("keywords", "Keywords", "lines", hint="One keyword per line"),
        _terms(
            "topics",
            "Topics (EDAM)",
            "edam_topic",
            "Topic",
            "Add a topic",
            "Type a topic's name or synonym, or its EDAM id (topic_0121)",
        ),
        Field(
            "license",
            "Licence (SPDX)",
            "licence",
            hint="An SPDX id such as CC-BY-4.0; other terms go under rights statements",
        ),
        Repeat(
            "rights",
            "Rights statements",
            Group(
                "",
                "Rights statement",
                (
                    Field("text", "Text", "textarea"),
                    Field("uri", "Link to the terms", "url"),
                    Field("language", "Language of the text", hint="e.g. en"),
                ),
            ),
            "Add a rights statement",
            hint="Terms of use that no SPDX licence names",
            min_rows=0,
        ),
        Repeat("creators", "Creators", _agent("Creator"), "Add a creator"),
        Repeat(
            "contributors",
            "Contributors",
            _agent(
                "Contributor",
                Field("role", "Role", hint="DataCite contributorType, e.g. DataCurator"),
            ),
            "Add a contributor",
            min_rows=0,
        ),
        Group(
            "publisher",
            "Publisher",
            (
                Field("name", "Name"),
                Field("url", "Web site", "url"),
                Field("ror", "ROR id", "url", hint="https://ror.org/..."),
            ),
        ),
        Field("issued", "Issued", "date"),
        Field("modified", "Modified", "date"),
        Field("landing_page", "Landing page", "url"),
        Field(
            "languages",
            "Languages of the resource",
            "lines",
            hint="One language tag per line, e.g. en",
        ),
        Repeat(
            "identifiers",
            "Other identifiers",
            Group(
                "",
                "Identifier",
                (
                    Field(
                        "scheme",
                        "Scheme",
                        "select",
                        choices=_choices(
                            "doi", "accession", "biotools", "handle", "ark", "url", "other"
                        ),
                    ),
                    Field("value", "Value"),
                ),
            ),
            "Add an identifier",
            hint="A DOI here is the record's persistent identifier",
        ),
        Repeat(
            "publications",
            "Publications",
            Group(
                "",
                "Publication",
                (
                    Field("doi", "DOI"),
                    Field("pmid", "PubMed id"),
                    Field("url", "URL", "url"),
                    Field("title", "Title"),
                ),
            ),
            "Add a publication",
            min_rows=0,
        ),
        Repeat(
            "funding",
            "Funding",
            Group(
                "",
                "Funding",
                (
                    Field("funder", "Funder"),
                    Field("funder_id", "Funder id", "url"),
                    Field("award_number", "Award number"),
                    Field("award_title", "Award title"),
                ),
            ),
            "Add funding",
            min_rows=0,
        ),
        Group(
            "access",
            "Access",
            (
                Field(
                    "level",
                    "Access level",
                    "radios",
                    choices=(
                        ("public", "Public"),
                        ("embargoed", "Embargoed until a date"),
                        ("controlled", "Controlled by a data access committee"),
                    ),
                ),
                Field(
                    "embargo_until",
                    "Embargo ends on",
                    "date",
                    hint="Only for an embargoed record (required then): the day it becomes "
                    "public; leave it empty otherwise",
                    shown_when=("level", "embargoed"),
                ),
                Group(
                    "dac",
                    "Data access committee",
                    (
                        Field("name", "Name"),
                        Field("email", "Email", "email"),
                        Field("url", "Web page", "url"),
                    ),
                    hint="Only for a controlled record (required then): its name, and an email "
                    "or web page where the data are requested; leave it empty otherwise",
                    shown_when=("level", "controlled"),
                ),
                Field(
                    "data_use",
                    "Data use conditions (GA4GH DUO)",
                    "duo",
                    hint="Only for a controlled record (at least one required then); leave them "
                    "unticked otherwise",
                    shown_when=("level", "controlled"),
                ),
            ),
        ),
        Group(
            "dataset",
            "Dataset",
            (
                _terms(
                    "organisms",
                    "Organisms (NCBI Taxonomy)",
                    "ncbi_taxonomy",
                    "Organism",
                    "Add an organism",
                    "Type a scientific or common name, or a taxon id (9606)",
                ),
                Repeat("distributions", "Distributions", _DISTRIBUTION, "Add a distribution"),
            ),
            types=frozenset({"Dataset"}),
        ),
        Group(
            "software",
            "Software",
            (
                _terms(
                    "operations",
                    "Operations (EDAM)",
                    "edam_operation",
                    "Operation",
                    "Add an operation",
                    "What the software does, e.g. Sequence alignment",
                ),
                _terms(
                    "input_formats",
                    "Input formats (EDAM)",
                    "edam_format",
                    "Input format",
                    "Add an input format",
                    "e.g. FASTQ",
                ),
                _terms(
                    "output_formats",
                    "Output formats (EDAM)",
                    "edam_format",
                    "Output format",
                    "Add an output format",
                    "e.g. BAM",
                ),
                Field("code_repository", "Code repository", "url"),
                Field("biotools_id", "bio.tools id"),
                Field("software_version", "Version"),
            ),
            types=frozenset({"Software"}),
        ),
        Group(
            "training",
            "Training",
            (
                Field("audience", "Audience", "lines", hint="One audience per line"),
                Field(
                    "level",
                    "Level",
                    "select",
                    choices=(
                        ("", "Not given"),
                        ("beginner", "Beginner"),
                        ("intermediate", "Intermediate"),
                        ("advanced", "Advanced"),
                    ),
                ),
                Field(
                    "learning_outcomes", "Learning outcomes", "lines", hint="One outcome per line"
                ),
            ),
            types=frozenset({"TrainingMaterial", "CourseInstance"}),
        ),
        Group(
            "course",
            "Course",
            (
                Field("start_date", "Starts", "date"),
                Field("end_date", "Ends", "date"),
                Field("online", "Online", "checkbox"),
                Group(
                    "location",
                    "Place",
                    (
                        Field("name", "Venue"),
                        Field("address", "Address"),
                        Field("country", "Country", hint="Two letters, e.g. FI"),
                    ),
                ),
                Field("capacity", "Places", "number"),
                Field("participants", "Participants", "number"),
            ),
            types=frozenset({"CourseInstance"}),
        ),
    ),
)
# the fields of one language's row (``/texts/{row}/...``): the title and description maps
TEXT_FIELDS = {
    "lang": Field("lang", "Language tag", hint="e.g. en, fi, pt-BR"),
    "title": Field("title", "Title"),
    "description": Field("description", "Description", "textarea"),
}
# a new record's own id (``/id``): optional, assigned when left blank
ID_FIELD = Field(
    "id", "Identifier", hint="Letters, digits, '.', '_', '~' or '-'; leave blank to get one"
)


def parts_for(record_type: str) -> list[Node]:
    """The nodes a record of ``record_type`` shows, its own part right after the topics (parts
    of other types left out)."""
    common: list[Node] = []
    own: list[Node] = []
    for node in RECORD_FORM.members:
        if isinstance(node, Group) and node.types is not None:
            if record_type in node.types:
                own.append(node)
        else:
            common.append(node)
    after = next(i for i, node in enumerate(common) if node.key == "topics") + 1
    return [*common[:after], *own, *common[after:]]


def label_for(path: str) -> str:
    """A field's name for people, rows counted from 1: ``/creators/0/orcid`` ->
    ``Creator 1: ORCID iD``; ``/texts/1/title`` -> ``Language 2: Title``."""
    steps = path.strip("/").split("/")
    if steps[0] == "texts":
        names = ["Language " + str(int(steps[1]) + 1)] if len(steps) > 1 else ["Languages"]
        if len(steps) > 2 and steps[2] in TEXT_FIELDS:
            names.append(TEXT_FIELDS[steps[2]].label)
        return ": ".join(names)
    if steps == ["id"]:
        return ID_FIELD.label
    names = []
    node: Node = RECORD_FORM
    for step in steps:
        if isinstance(node, Repeat) and step.isdigit():
            node = node.item
            names[-1:] = [
                f"{node.legend if isinstance(node, Group) else node.label} {int(step) + 1}"
            ]
            continue
        if not isinstance(node, Group):
            break
        found = next((m for m in node.members if m.key == step), None)
        if found is None:
            break
        node = found
        names.append(found.label if isinstance(found, Field) else found.legend)
    return ": ".join(names) or path


def field_id(path: str) -> str:
    """The HTML id of the field or fieldset at ``path`` (``/creators/0/name`` ->
    ``f-creators-0-name``); a path has only member names and row numbers."""
    return "f" + path.replace("/", "-")


def repeat_at(path: str) -> Repeat | None:
    node: Node = RECORD_FORM
    for step in path.strip("/").split("/"):
        if isinstance(node, Repeat) and step.isdigit():
            node = node.item
            continue
        found = None
        if isinstance(node, Group):
            found = next((m for m in node.members if m.key == step), None)
        if found is None:
            return None
        node = found
    return node if isinstance(node, Repeat) else None
