"""The record model: what a Node's stewards write and what everyone reads.

The JSON shape follows schema.org and DCAT naming in snake_case so that the Bioschemas,
DCAT-AP, DataCite and OAI-PMH serialisers map it field by field:

- a common core on every record (``title``, ``description``, ``keywords``, ``topics``,
  ``license``, ``creators``, ``publisher``, ``issued``, ``landing_page``, ...);
- one *part* per type holding what only that type has: ``dataset`` (organisms, distributions),
  ``software`` (operations, formats, code repository), ``training`` (audience, level, learning
  outcomes; TrainingMaterial and CourseInstance) and ``course`` (dates, place, capacity;
  CourseInstance only);
- ``access``: public, embargoed until a date, or controlled by a data access committee with
  GA4GH DUO data use conditions.

Texts meant for people (``title``, ``description``) are language maps as in JSON-LD:
``{"en": "Mouse atlas", "de": "Mausatlas"}``. Ontology annotations are :class:`Term` objects
``{"uri": ..., "label": ...}``; a bare string (``"topic_0121"``, ``"9606"``, ``"DUO:0000042"``)
is accepted on input and normalised against the vocabularies when the record is stored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from converge_common.inputs import INT32_MAX, INT64_MAX
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetPydanticSchema,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from converge_metadata.records.fields import (
    DOI,
    LanguageTag,
    LocalId,
    NonEmptyStr,
    Orcid,
    Url,
    check_url,
    normalise_doi,
)

__all__ = [
    "READ_ONLY_FIELDS",
    "RECORD_TYPES",
    "Access",
    "AccessLevel",
    "Agent",
    "Checksum",
    "Contributor",
    "CoursePart",
    "DataAccessCommittee",
    "DatasetPart",
    "Distribution",
    "Funding",
    "Identifier",
    "LangMap",
    "Location",
    "Organization",
    "Publication",
    "RecordBase",
    "RecordCreate",
    "RecordMergePatch",
    "RecordRead",
    "RecordReplace",
    "RecordStatus",
    "RecordType",
    "RecordUpdate",
    "RightsStatement",
    "SoftwarePart",
    "Term",
    "Tombstone",
    "TrainingPart",
    "VersionDetail",
    "VersionRead",
    "documented_as",
]

RecordType = Literal["Dataset", "Software", "TrainingMaterial", "CourseInstance"]
RECORD_TYPES: tuple[str, ...] = ("Dataset", "Software", "TrainingMaterial", "CourseInstance")
AccessLevel = Literal["public", "embargoed", "controlled"]
RecordStatus = Literal["draft", "published"]
VersionAction = Literal["create", "update", "delete", "restore", "import"]

LangMap = dict[LanguageTag, NonEmptyStr]
ShortText = Annotated[str, Field(min_length=1, max_length=500)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Term(_Model):
    """An ontology term: EDAM (topics, operations, formats), NCBI Taxonomy, DUO."""

    uri: NonEmptyStr = Field(
        description="Term IRI, e.g. http://edamontology.org/topic_0121; a short form "
        "(topic_0121, EDAM:topic_0121, 9606, NCBITaxon:9606, DUO:0000042) is normalised"
    )
    label: str | None = Field(default=None, description="Filled from the vocabulary")

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str | int):
            return {"uri": str(value)}
        return value


class Identifier(_Model):
    """Another identifier of the resource (DOI, accession number, bio.tools id, ...)."""

    scheme: Literal["doi", "accession", "biotools", "handle", "ark", "url", "other"]
    value: NonEmptyStr

    @field_validator("value")
    @classmethod
    def _check_value(cls, value: str, info: ValidationInfo) -> str:
        scheme = info.data.get("scheme")
        if scheme == "doi":
            return normalise_doi(value)
        if scheme == "url":
            return check_url(value)
        return value


class Agent(_Model):
    """A creator: a person (with an ORCID iD when known) or an organisation."""

    type: Literal["Person", "Organization"] = "Person"
    name: NonEmptyStr
    orcid: Orcid | None = Field(default=None, description="Stored as https://orcid.org/<iD>")
    affiliation: str | None = None


class Contributor(Agent):
    role: str | None = Field(default=None, description="DataCite contributorType, e.g. DataCurator")


class Organization(_Model):
    name: NonEmptyStr
    url: Url | None = None
    ror: Url | None = Field(default=None, description="ROR id as a URL, https://ror.org/...")


class Publication(_Model):
    """A related publication; at least one of ``doi``, ``pmid``, ``url``."""

    doi: DOI | None = None
    pmid: Annotated[str, Field(pattern=r"^\d{1,9}$")] | None = None
    url: Url | None = None
    title: str | None = None

    @model_validator(mode="after")
    def _one_identifier(self) -> Publication:
        if not (self.doi or self.pmid or self.url):
            raise PydanticCustomError("publication_identifier", "give a doi, pmid or url")
        return self


class Funding(_Model):
    """A funding reference (DataCite ``fundingReference``)."""

    funder: NonEmptyStr
    funder_id: Url | None = None
    award_number: str | None = None
    award_title: str | None = None


class RightsStatement(_Model):
    """Rights that are not (only) an SPDX licence: a source's licence text without an SPDX id
    (``Proprietary``, ``Freeware``, ``Terms of Use and Access``), a link to terms of use, or
    both; kept as given, in its language when known. At least one of ``text`` and ``uri``."""

    text: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    uri: Url | None = None
    language: LanguageTag | None = Field(default=None, description="Language of the text")

    @model_validator(mode="after")
    def _text_or_uri(self) -> RightsStatement:
        if not (self.text or self.uri):
            raise PydanticCustomError("rights_statement", "give a text or a uri")
        return self


class Checksum(_Model):
    algorithm: Literal["md5", "sha1", "sha256", "sha512"]
    value: Annotated[str, Field(pattern=r"^[0-9a-fA-F]{32,128}$")]


class Distribution(_Model):
    """A way to get the data (DCAT distribution); ``access_url`` or ``download_url``."""

    title: str | None = None
    access_url: Url | None = None
    download_url: Url | None = None
    media_type: Annotated[str, Field(pattern=r"^[\w.+-]+/[\w.+-]+$")] | None = None
    format: Term | None = Field(default=None, description="EDAM format term")
    byte_size: Annotated[int, Field(ge=0, le=INT64_MAX)] | None = None
    checksum: Checksum | None = None

    @model_validator(mode="after")
    def _one_url(self) -> Distribution:
        if not (self.access_url or self.download_url):
            raise PydanticCustomError("distribution_url", "give an access_url or download_url")
        return self


class DatasetPart(_Model):
    organisms: list[Term] = Field(default_factory=list, description="NCBI Taxonomy terms")
    distributions: list[Distribution] = Field(default_factory=list)


class SoftwarePart(_Model):
    operations: list[Term] = Field(default_factory=list, description="EDAM operations")
    input_formats: list[Term] = Field(default_factory=list, description="EDAM formats")
    output_formats: list[Term] = Field(default_factory=list, description="EDAM formats")
    code_repository: Url | None = None
    biotools_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.~-]{1,100}$")] | None = None
    software_version: str | None = None


class TrainingPart(_Model):
    audience: list[NonEmptyStr] = Field(default_factory=list)
    level: Literal["beginner", "intermediate", "advanced"] | None = None
    learning_outcomes: list[NonEmptyStr] = Field(default_factory=list)


class Location(_Model):
    name: NonEmptyStr
    address: str | None = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = Field(
        default=None, description="ISO 3166-1 alpha-2"
    )


class CoursePart(_Model):
    start_date: datetime | date
    end_date: datetime | date
    location: Location | None = None
    online: bool = False
    capacity: Annotated[int, Field(ge=0, le=INT32_MAX)] | None = None
    participants: Annotated[int, Field(ge=0, le=INT32_MAX)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CoursePart:
        if _as_date(self.end_date) < _as_date(self.start_date):
            raise PydanticCustomError("date_order", "end_date is before start_date")
        if self.location is None and not self.online:
            raise PydanticCustomError("course_place", "give a location or set online")
        return self


def _as_date(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


class DataAccessCommittee(_Model):
    name: NonEmptyStr
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    url: Url | None = None


class Access(_Model):
    """Who may see the record and get the data.

    ``embargoed`` hides the record from anonymous reads, search and harvesting until
    ``embargo_until`` (a UTC date), after which it is public without anyone acting.
    ``controlled`` publishes the metadata; the data sit behind ``dac`` under ``data_use``.
    """

    level: AccessLevel = "public"
    embargo_until: date | None = None
    dac: DataAccessCommittee | None = None
    data_use: list[Term] = Field(default_factory=list, description="GA4GH DUO terms")

    @model_validator(mode="after")
    def _rules(self) -> Access:
        if self.level == "embargoed" and self.embargo_until is None:
            raise PydanticCustomError("embargo_date", "an embargoed record needs embargo_until")
        if self.level != "embargoed" and self.embargo_until is not None:
            raise PydanticCustomError("embargo_date", "embargo_until only applies to embargoed")
        if self.level == "controlled":
            if self.dac is None or not (self.dac.email or self.dac.url):
                raise PydanticCustomError(
                    "dac_contact", "a controlled record needs a dac with an email or url"
                )
            if not self.data_use:
                raise PydanticCustomError("data_use", "a controlled record needs DUO data_use")
        return self


class RecordBase(_Model):
    """Everything a steward writes about a resource (the stored document of a record)."""

    type: RecordType
    status: RecordStatus = Field(
        default="draft", description="draft: stewards only; published: everyone (per access)"
    )
    title: Annotated[LangMap, Field(min_length=1)] = Field(
        description='Language map, e.g. {"en": "...", "fi": "..."}'
    )
    description: LangMap = Field(default_factory=dict)
    identifiers: list[Identifier] = Field(default_factory=list)
    keywords: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list
    )
    topics: list[Term] = Field(default_factory=list, description="EDAM topics")
    license: str | None = Field(
        default=None,
        description="SPDX licence id, e.g. CC-BY-4.0; a licence name, URL or common variant "
        "(CC0 1.0, Apache License 2.0, https://creativecommons.org/licenses/by/4.0/) is stored "
        "as its id, and anything else is moved to rights",
    )
    rights: Annotated[list[RightsStatement], Field(max_length=20)] = Field(
        default_factory=list,
        description="Rights statements that are not an SPDX licence (text, uri, language)",
    )
    languages: list[LanguageTag] = Field(
        default_factory=list, description="Languages of the resource itself"
    )
    creators: list[Agent] = Field(default_factory=list)
    contributors: list[Contributor] = Field(default_factory=list)
    publisher: Organization | None = None
    issued: date | None = Field(default=None, description="dct:issued / schema:datePublished")
    modified: date | None = Field(default=None, description="dct:modified / schema:dateModified")
    landing_page: Url | None = None
    publications: list[Publication] = Field(default_factory=list)
    funding: list[Funding] = Field(default_factory=list)
    access: Access = Field(default_factory=Access)
    dataset: DatasetPart | None = None
    software: SoftwarePart | None = None
    training: TrainingPart | None = None
    course: CoursePart | None = None


class RecordCreate(RecordBase):
    """A new record. ``id`` is the stable local id used in URLs and as ``{node}:{id}``;
    when omitted the service assigns a short random one."""

    id: LocalId | None = None


class RecordUpdate(RecordBase):
    """A full replacement of a record's content (``PUT``, with ``If-Match``)."""


class RecordRead(RecordBase):
    """A stored record with its system fields."""

    model_config = ConfigDict(extra="forbid")

    id: str
    node: str = Field(description="The Node that holds the record")
    global_id: str = Field(description="{node}:{id}, the record's id in the federation")
    version: int
    created_at: datetime
    modified_at: datetime
    published_at: datetime | None = Field(
        default=None, description="When first published; absent while a draft"
    )
    deleted_at: datetime | None = None
    created_by: str
    modified_by: str


class VersionRead(BaseModel):
    version: int
    action: VersionAction
    actor: str = Field(description="Who wrote it: a token subject, or a service's client id")
    actor_name: str | None = Field(
        default=None,
        description="The writer's name as their sign-in gave it (shown to the Node's stewards "
        "only; absent for services and for versions written before names were kept)",
    )
    created_at: datetime


class VersionDetail(VersionRead):
    record: RecordBase | None = Field(
        default=None, description="The content as of this version; absent: deleted"
    )


class Tombstone(BaseModel):
    """What remains of a deleted record (harvesters learn of deletions from it)."""

    id: str
    node: str
    global_id: str
    type: RecordType
    deleted: Literal[True] = True
    deleted_at: datetime
    version: int


# what a GET adds to a record's content: set by the service, never by a writer
READ_ONLY_FIELDS: tuple[str, ...] = tuple(
    name for name in RecordRead.model_fields if name not in RecordBase.model_fields
)


def _optional(annotation: Any) -> Any:
    return annotation | None


_READ_ONLY_OPTIONAL: dict[str, Any] = {
    name: (_optional(RecordRead.model_fields[name].annotation), None) for name in READ_ONLY_FIELDS
}
RecordReplace: type[RecordUpdate] = create_model(
    "RecordReplace",
    __base__=RecordUpdate,
    __doc__="A ``PUT`` body: the record's content, and optionally the read-only fields a "
    "``GET`` returned (``id``, ``version``, timestamps, ...), ignored when they equal the "
    "current ones and refused (422, rule ``read_only``) when they differ.",
    **_READ_ONLY_OPTIONAL,
)


class RecordMergePatch(BaseModel):
    """A JSON Merge Patch (RFC 7396) of a record (``application/merge-patch+json``): members to
    set, ``null`` to remove one; objects merge member by member, arrays replace. The result is
    checked as a ``PUT`` body."""

    model_config = ConfigDict(extra="allow")


def documented_as(model: type[BaseModel]) -> GetPydanticSchema:
    """``Annotated`` metadata for a JSON object body the endpoint checks itself (so that every
    problem comes back in one answer), documented in OpenAPI as ``model``."""
    return GetPydanticSchema(
        get_pydantic_json_schema=lambda _schema, handler: handler(model.__pydantic_core_schema__)
    )
