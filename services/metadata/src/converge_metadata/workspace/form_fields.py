"""The record form's fields: one description that mirrors the record schema member by member.

:data:`RECORD_FORM` follows :class:`~converge_metadata.records.schemas.RecordBase` (a test
checks that every member of every model has its field); ``forms`` maps a form to the API's
record JSON by it and the templates draw the form from it (``record_form_fields.html``).

A field's path is its name in the form: ``/creators/0/orcid``; rows count from 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from converge_common.web.i18n import N_

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
                N_("Kind"),
                "select",
                choices=(("Person", N_("Person")), ("Organization", N_("Organisation"))),
            ),
            Field("name", N_("Name"), autocomplete="off"),
            Field("orcid", N_("ORCID iD"), "orcid", hint=N_("e.g. 0000-0002-1825-0097")),
            Field("affiliation", N_("Affiliation")),
            *extra,
        ),
    )


_DISTRIBUTION = Group(
    "",
    N_("Distribution"),
    (
        Field("title", N_("Title")),
        Field(
            "access_url", N_("Access URL"), "url", hint=N_("A page where the data can be requested")
        ),
        Field("download_url", N_("Download URL"), "url"),
        Field("media_type", N_("Media type"), hint=N_("e.g. text/csv")),
        _term("format", N_("Format (EDAM)"), "edam_format"),
        Field("byte_size", N_("Size in bytes"), "number"),
        Group(
            "checksum",
            N_("Checksum"),
            (
                Field(
                    "algorithm",
                    N_("Algorithm"),
                    "select",
                    choices=_choices("", "md5", "sha1", "sha256", "sha512"),
                ),
                Field("value", N_("Value (hexadecimal)")),
            ),
        ),
    ),
)

RECORD_FORM = Group(
    "",
    N_("Record"),
    (
        Field("keywords", N_("Keywords"), "lines", hint=N_("One keyword per line")),
        _terms(
            "topics",
            N_("Topics (EDAM)"),
            "edam_topic",
            N_("Topic"),
            N_("Add a topic"),
            N_("Type a topic's name or synonym, or its EDAM id (topic_0121)"),
        ),
        Field(
            "license",
            N_("Licence (SPDX)"),
            "licence",
            hint=N_("An SPDX id such as CC-BY-4.0; other terms go under rights statements"),
        ),
        Repeat(
            "rights",
            N_("Rights statements"),
            Group(
                "",
                N_("Rights statement"),
                (
                    Field("text", N_("Text"), "textarea"),
                    Field("uri", N_("Link to the terms"), "url"),
                    Field("language", N_("Language of the text"), hint=N_("e.g. en")),
                ),
            ),
            N_("Add a rights statement"),
            hint=N_("Terms of use that no SPDX licence names"),
            min_rows=0,
        ),
        Repeat("creators", N_("Creators"), _agent(N_("Creator")), N_("Add a creator")),
        Repeat(
            "contributors",
            N_("Contributors"),
            _agent(
                N_("Contributor"),
                Field("role", N_("Role"), hint=N_("DataCite contributorType, e.g. DataCurator")),
            ),
            N_("Add a contributor"),
            min_rows=0,
        ),
        Group(
            "publisher",
            N_("Publisher"),
            (
                Field("name", N_("Name")),
                Field("url", N_("Web site"), "url"),
                Field("ror", N_("ROR id"), "url", hint=N_("https://ror.org/...")),
            ),
        ),
        Field("issued", N_("Issued"), "date"),
        Field("modified", N_("Modified"), "date"),
        Field("landing_page", N_("Landing page"), "url"),
        Field(
            "languages",
            N_("Languages of the resource"),
            "lines",
            hint=N_("One language tag per line, e.g. en"),
        ),
        Repeat(
            "identifiers",
            N_("Other identifiers"),
            Group(
                "",
                N_("Identifier"),
                (
                    Field(
                        "scheme",
                        N_("Scheme"),
                        "select",
                        choices=_choices(
                            "doi", "accession", "biotools", "handle", "ark", "url", "other"
                        ),
                    ),
                    Field("value", N_("Value")),
                ),
            ),
            N_("Add an identifier"),
            hint=N_("A DOI here is the record's persistent identifier"),
        ),
        Repeat(
            "publications",
            N_("Publications"),
            Group(
                "",
                N_("Publication"),
                (
                    Field("doi", N_("DOI")),
                    Field("pmid", N_("PubMed id")),
                    Field("url", N_("URL"), "url"),
                    Field("title", N_("Title")),
                ),
            ),
            N_("Add a publication"),
            min_rows=0,
        ),
        Repeat(
            "funding",
            N_("Funding"),
            Group(
                "",
                N_("Funding"),
                (
                    Field("funder", N_("Funder")),
                    Field("funder_id", N_("Funder id"), "url"),
                    Field("award_number", N_("Award number")),
                    Field("award_title", N_("Award title")),
                ),
            ),
            N_("Add funding"),
            min_rows=0,
        ),
        Group(
            "access",
            N_("Access"),
            (
                Field(
                    "level",
                    N_("Access level"),
                    "radios",
                    choices=(
                        ("public", N_("Public")),
                        ("embargoed", N_("Embargoed until a date")),
                        ("controlled", N_("Controlled by a data access committee")),
                    ),
                ),
                Field(
                    "embargo_until",
                    N_("Embargo ends on"),
                    "date",
                    hint=N_(
                        "Only for an embargoed record (required then): the day it becomes "
                        "public; leave it empty otherwise"
                    ),
                    shown_when=("level", "embargoed"),
                ),
                Group(
                    "dac",
                    N_("Data access committee"),
                    (
                        Field("name", N_("Name")),
                        Field("email", N_("Email"), "email"),
                        Field("url", N_("Web page"), "url"),
                    ),
                    hint=N_(
                        "Only for a controlled record (required then): its name, and an email "
                        "or web page where the data are requested; leave it empty otherwise"
                    ),
                    shown_when=("level", "controlled"),
                ),
                Field(
                    "data_use",
                    N_("Data use conditions (GA4GH DUO)"),
                    "duo",
                    hint=N_(
                        "Only for a controlled record (at least one required then); leave them "
                        "unticked otherwise"
                    ),
                    shown_when=("level", "controlled"),
                ),
            ),
        ),
        Group(
            "dataset",
            N_("Dataset"),
            (
                _terms(
                    "organisms",
                    N_("Organisms (NCBI Taxonomy)"),
                    "ncbi_taxonomy",
                    N_("Organism"),
                    N_("Add an organism"),
                    N_("Type a scientific or common name, or a taxon id (9606)"),
                ),
                Repeat(
                    "distributions", N_("Distributions"), _DISTRIBUTION, N_("Add a distribution")
                ),
            ),
            types=frozenset({"Dataset"}),
        ),
        Group(
            "software",
            N_("Software"),
            (
                _terms(
                    "operations",
                    N_("Operations (EDAM)"),
                    "edam_operation",
                    N_("Operation"),
                    N_("Add an operation"),
                    N_("What the software does, e.g. Sequence alignment"),
                ),
                _terms(
                    "input_formats",
                    N_("Input formats (EDAM)"),
                    "edam_format",
                    N_("Input format"),
                    N_("Add an input format"),
                    N_("e.g. FASTQ"),
                ),
                _terms(
                    "output_formats",
                    N_("Output formats (EDAM)"),
                    "edam_format",
                    N_("Output format"),
                    N_("Add an output format"),
                    N_("e.g. BAM"),
                ),
                Field("code_repository", N_("Code repository"), "url"),
                Field("biotools_id", N_("bio.tools id")),
                Field("software_version", N_("Version")),
            ),
            types=frozenset({"Software"}),
        ),
        Group(
            "training",
            N_("Training"),
            (
                Field("audience", N_("Audience"), "lines", hint=N_("One audience per line")),
                Field(
                    "level",
                    N_("Level"),
                    "select",
                    choices=(
                        ("", N_("Not given")),
                        ("beginner", N_("Beginner")),
                        ("intermediate", N_("Intermediate")),
                        ("advanced", N_("Advanced")),
                    ),
                ),
                Field(
                    "learning_outcomes",
                    N_("Learning outcomes"),
                    "lines",
                    hint=N_("One outcome per line"),
                ),
            ),
            types=frozenset({"TrainingMaterial", "CourseInstance"}),
        ),
        Group(
            "course",
            N_("Course"),
            (
                Field("start_date", N_("Starts"), "date"),
                Field("end_date", N_("Ends"), "date"),
                Field("online", N_("Online"), "checkbox"),
                Group(
                    "location",
                    N_("Place"),
                    (
                        Field("name", N_("Venue")),
                        Field("address", N_("Address")),
                        Field("country", N_("Country"), hint=N_("Two letters, e.g. FI")),
                    ),
                ),
                Field("capacity", N_("Places"), "number"),
                Field("participants", N_("Participants"), "number"),
            ),
            types=frozenset({"CourseInstance"}),
        ),
    ),
)
# the fields of one language's row (``/texts/{row}/...``): the title and description maps
TEXT_FIELDS = {
    "lang": Field("lang", N_("Language tag"), hint=N_("e.g. en, fi, pt-BR")),
    "title": Field("title", N_("Title")),
    "description": Field("description", N_("Description"), "textarea"),
}
# a new record's own id (``/id``): optional, assigned when left blank
ID_FIELD = Field(
    "id", N_("Identifier"), hint=N_("Letters, digits, '.', '_', '~' or '-'; leave blank to get one")
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
