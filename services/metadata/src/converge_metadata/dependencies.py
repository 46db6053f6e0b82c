"""Request dependencies: the vocabularies, the Node, and who the caller is to it (steward,
controlled reader, anyone)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated

from converge_common.auth import OptionalPrincipal, Principal
from fastapi import Depends, FastAPI, Request

from converge_metadata.access import Viewer
from converge_metadata.settings import MetadataSettings
from converge_metadata.terms.index import term_index
from converge_metadata.vocab import Vocabularies, load_vocabularies

__all__ = ["NodeDep", "ViewerDep", "VocabDep", "actor_name", "vocabulary_lifespan"]


@asynccontextmanager
async def vocabulary_lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: MetadataSettings = app.state.settings
    app.state.vocab = load_vocabularies(settings.vocab_dir, settings.taxonomy_store)
    # built once per loaded set of vocabularies, for /api/v1/terms
    app.state.terms = term_index(app.state.vocab)
    yield


def _vocab(request: Request) -> Vocabularies:
    vocab: Vocabularies = request.app.state.vocab
    return vocab


def _node(request: Request) -> str:
    return str(request.app.state.node_id)


def _viewer(request: Request, principal: OptionalPrincipal) -> Viewer:
    node = _node(request)
    steward = principal is not None and principal.has_node_role(node, "steward")
    controlled = principal is not None and principal.can_read_controlled
    return Viewer(steward=steward, controlled=controlled, today=datetime.now(UTC).date())


def actor_name(principal: Principal) -> str | None:
    """The caller's name when the token carries one (``name``, an OpenID profile claim), kept
    with what they write so that people read who did it."""
    name = principal.claims.get("name")
    return name.strip() if isinstance(name, str) and name.strip() else None


VocabDep = Annotated[Vocabularies, Depends(_vocab)]
NodeDep = Annotated[str, Depends(_node)]
ViewerDep = Annotated[Viewer, Depends(_viewer)]
