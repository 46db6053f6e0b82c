"""What every serialiser needs to know about the Node publishing a record: its addresses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from converge_metadata.settings import MetadataSettings

__all__ = ["ContextDep", "PublicationContext", "publication_context"]

_REPOSITORY_ID = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z][a-zA-Z0-9-]*)+$")


@dataclass(frozen=True)
class PublicationContext:
    """The Node's public addresses and names, resolved once per request."""

    base_url: str
    node_id: str
    node_name: str
    repository_id: str
    admin_email: str

    @classmethod
    def from_settings(cls, settings: MetadataSettings, *, base_url: str) -> PublicationContext:
        base = (settings.public_url or base_url).rstrip("/")
        repository_id = (
            settings.oai_repository_id or f"converge.{settings.node_id}.elixir-europe.org"
        )
        if not _REPOSITORY_ID.match(repository_id):
            # a Node id starting with a digit cannot head a domain label
            repository_id = f"converge.node-{settings.node_id}.elixir-europe.org"
        return cls(
            base_url=base,
            node_id=settings.node_id,
            node_name=settings.node_name,
            repository_id=repository_id,
            admin_email=settings.admin_email,
        )

    def record_url(self, local_id: str) -> str:
        """The landing page a person reads."""
        return f"{self.base_url}/records/{local_id}"

    def record_api_url(self, local_id: str) -> str:
        """The content-negotiated machine URL; also the record's IRI in RDF."""
        return f"{self.base_url}/api/v1/records/{local_id}"

    def oai_identifier(self, local_id: str) -> str:
        return f"oai:{self.repository_id}:{self.node_id}:{local_id}"

    def local_id_of(self, oai_identifier: str) -> str | None:
        prefix = f"oai:{self.repository_id}:{self.node_id}:"
        if not oai_identifier.startswith(prefix):
            return None
        return oai_identifier[len(prefix) :] or None

    @property
    def catalog_url(self) -> str:
        return f"{self.base_url}/dcat/catalog"

    @property
    def oai_url(self) -> str:
        return f"{self.base_url}/oai"


def publication_context(request: Request) -> PublicationContext:
    settings: MetadataSettings = request.app.state.settings
    return PublicationContext.from_settings(settings, base_url=str(request.base_url))


ContextDep = Annotated[PublicationContext, Depends(publication_context)]
