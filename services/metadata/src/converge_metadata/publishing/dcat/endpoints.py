"""``/dcat/catalog``, ``/dcat/datasets/{id}`` and the FAIR Data Point root ``/fdp``: RDF in
Turtle, JSON-LD or RDF/XML by ``Accept`` or ``?format=``."""

from __future__ import annotations

from typing import Annotated, Any

from converge_common.app import SessionDep
from converge_common.openapi import problem_responses
from fastapi import APIRouter, Header, Query, Request, Response
from rdflib import Graph

from converge_metadata.publishing.context import ContextDep
from converge_metadata.publishing.dcat import service
from converge_metadata.publishing.negotiation import RDF_MEDIA_TYPES, choose_rdf, serialise
from converge_metadata.settings import MetadataSettings
from converge_metadata.usage.recorder import RecorderDep

__all__ = ["router"]

router = APIRouter(tags=["DCAT-AP and FAIR Data Point"])
_RDF_DOC: dict[int | str, dict[str, Any]] = {
    200: {"content": {m: {} for m in RDF_MEDIA_TYPES}, "description": "RDF graph"},
    **problem_responses(406),
}
FormatQuery = Annotated[
    str | None, Query(alias="format", description="ttl, jsonld or rdf (overrides Accept)")
]
AcceptHeader = Annotated[str | None, Header()]


def _rdf(graph: Graph, *, format_param: str | None, accept: str | None) -> Response:
    media = choose_rdf(format_param=format_param, accept=accept)
    return Response(serialise(graph, media), media_type=media, headers={"Vary": "Accept"})


@router.get("/dcat/catalog", response_class=Response, responses=_RDF_DOC)
async def get_catalog(
    request: Request,
    session: SessionDep,
    context: ContextDep,
    format: FormatQuery = None,
    accept: AcceptHeader = None,
    cursor: Annotated[str | None, Query(description="Opaque page token (hydra:next)")] = None,
) -> Response:
    """The Node's ``dcat:Catalog``, one page of datasets at a time (Hydra paging)."""
    choose_rdf(format_param=format, accept=accept)
    settings: MetadataSettings = request.app.state.settings
    page = await service.catalog_page(
        session,
        context=context,
        codec=service.catalog_tokens(settings.secret_key.get_secret_value()),
        cursor=cursor,
        size=settings.dcat_page_size,
    )
    return _rdf(page.graph, format_param=format, accept=accept)


@router.get("/dcat/datasets/{record_id}", response_class=Response, responses=_RDF_DOC)
async def get_dataset(
    record_id: str,
    request: Request,
    session: SessionDep,
    context: ContextDep,
    recorder: RecorderDep,
    format: FormatQuery = None,
    accept: AcceptHeader = None,
) -> Response:
    """One published record as DCAT-AP (a ``dcat:Dataset`` for datasets)."""
    choose_rdf(format_param=format, accept=accept)
    graph = await service.dataset_graph(session, record_id, context=context)
    answer = _rdf(graph, format_param=format, accept=accept)
    recorder.record(request, record_id=record_id, channel="dcat")
    return answer


@router.get("/fdp", response_class=Response, responses=_RDF_DOC)
async def get_fdp_root(
    session: SessionDep,
    context: ContextDep,
    format: FormatQuery = None,
    accept: AcceptHeader = None,
) -> Response:
    """FAIR Data Point root (``fdp:MetadataService``) pointing to the catalogue."""
    choose_rdf(format_param=format, accept=accept)
    graph = await service.fdp_root_graph(session, context=context)
    return _rdf(graph, format_param=format, accept=accept)
