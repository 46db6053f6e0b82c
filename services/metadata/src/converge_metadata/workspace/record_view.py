"""The workspace's record page: a record as the Node's stewards see it (drafts, running
embargoes and controlled records whole), its FAIR assessment with the hints, its version and
who changed it last, and publishing a draft from it.

Publishing goes through the records service as the API's ``PATCH`` does
(``{"status": "published"}`` with ``If-Match``): the page carries the ETag of the version it
shows, so a steward publishes what they read, never a version someone saved since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from converge_metadata.models import Record
from converge_metadata.publishing.context import PublicationContext
from converge_metadata.publishing.fair import service as fair
from converge_metadata.publishing.fair.schemas import FairAssessment
from converge_metadata.publishing.views import is_visible
from converge_metadata.records import service
from converge_metadata.records.indexing import display_title
from converge_metadata.records.schemas import Access, RecordBase
from converge_metadata.vocab import Vocabularies
from converge_metadata.workspace.forms import term_display
from converge_metadata.workspace.record_forms import STEWARD, labelled_values

__all__ = ["PublicLink", "RecordView", "Text", "Value", "publish", "read_view", "record_view"]

# the members shown in their own sections, not in the lists of values
_OWN_SECTIONS = ("/type", "/status", "/title", "/description", "/access")
_PARTS = ("/dataset", "/software", "/training", "/course")


@dataclass(frozen=True)
class Text:
    """A record's title and description in one language."""

    lang: str
    title: str | None
    description: str | None


@dataclass(frozen=True)
class Value:
    label: str
    text: str


@dataclass(frozen=True)
class PublicLink:
    label: str
    url: str
    media_type: str | None = None


@dataclass(frozen=True)
class RecordView:
    """What the record page shows."""

    id: str
    global_id: str
    type: str
    status: str
    title: str
    title_lang: str
    texts: list[Text]
    access: Access
    data_use: list[str]
    public_now: bool
    embargo_days_left: int | None
    part: list[Value]
    about: list[Value]
    fair: FairAssessment
    version: int
    etag: str
    created_at: datetime
    created_by: str
    modified_at: datetime
    modified_by: str
    published_at: datetime | None
    landing_url: str | None
    links: list[PublicLink]

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


def _embargo_left(access: Access, today: date) -> int | None:
    """Days until a running embargo ends (0: it ends today); ``None`` without one."""
    until = access.embargo_until
    if access.level != "embargoed" or until is None or until < today:
        return None
    return (until - today).days


def _texts(content: RecordBase, first: str) -> list[Text]:
    """Every language of the title or description: the title's shown one first."""
    languages = sorted({*content.title, *content.description}, key=lambda tag: (tag != first, tag))
    return [
        Text(lang, content.title.get(lang), content.description.get(lang)) for lang in languages
    ]


def _links(record: Record, context: PublicationContext) -> list[PublicLink]:
    api = context.record_api_url(record.local_id)
    return [
        PublicLink("JSON", api, "application/json"),
        PublicLink("Bioschemas JSON-LD", f"{api}?format=jsonld", "application/ld+json"),
        PublicLink(
            "DataCite XML", f"{api}?format=datacite", "application/vnd.datacite.datacite+xml"
        ),
        PublicLink("DCAT-AP (Turtle)", f"{api}?format=ttl", "text/turtle"),
    ]


def record_view(record: Record, *, context: PublicationContext, now: datetime) -> RecordView:
    """The page's view of a live record."""
    content = RecordBase.model_validate(record.document)
    document: dict[str, Any] = content.model_dump(mode="json", exclude_none=True)
    part: list[Value] = []
    about: list[Value] = []
    for pointer, label, text in labelled_values(document):
        if pointer.startswith(_OWN_SECTIONS):
            continue
        values = part if pointer.startswith(_PARTS) else about
        if values and values[-1].label == label:  # a list of plain values, such as keywords
            values[-1] = Value(label, f"{values[-1].text}; {text}")
        else:
            values.append(Value(label, text))
    title = display_title(content)
    title_lang = next(lang for lang, text in content.title.items() if text == title)
    published = record.status == "published"
    return RecordView(
        id=record.local_id,
        global_id=f"{context.node_id}:{record.local_id}",
        type=record.type,
        status=record.status,
        title=title,
        title_lang=title_lang,
        texts=_texts(content, title_lang),
        access=content.access,
        data_use=[term_display(term.model_dump(), "duo") for term in content.access.data_use],
        public_now=is_visible(record, now=now),
        embargo_days_left=_embargo_left(content.access, now.date()),
        part=part,
        about=about,
        fair=fair.steward_assessment(record, context=context, now=now),
        version=record.version,
        etag=service.etag_of(record),
        created_at=record.created_at,
        created_by=record.created_by,
        modified_at=record.modified_at,
        modified_by=record.modified_by,
        published_at=record.published_at,
        landing_url=context.record_url(record.local_id) if published else None,
        links=_links(record, context) if published else [],
    )


async def read_view(
    session: AsyncSession, record_id: str, *, context: PublicationContext, now: datetime
) -> RecordView:
    """The page of ``record_id``: ``RecordNotFound`` (404) or ``RecordDeleted`` (410) else."""
    record = await service.read_record(session, record_id, viewer=STEWARD)
    return record_view(record, context=context, now=now)


async def publish(
    session: AsyncSession,
    record_id: str,
    *,
    etag: str | None,
    actor: str,
    node: str,
    vocab: Vocabularies,
    actor_name: str | None = None,
) -> Record:
    """Publish the draft the page showed (``etag``), as the API's merge patch would: a record
    changed since raises ``EtagMismatch`` and nothing is written."""
    return await service.patch_record(
        session,
        record_id,
        {"status": "published"},
        node=node,
        if_match=etag or None,
        actor=actor,
        vocab=vocab,
        actor_name=actor_name,
    )
