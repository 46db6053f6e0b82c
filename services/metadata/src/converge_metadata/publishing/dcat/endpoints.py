"""``/dcat/catalog``, ``/dcat/datasets/{id}``, the FAIR Data Point root ``/fdp`` and its
``/fdp/catalog`` and ``/fdp/datasets/{id}``: RDF in Turtle, JSON-LD or RDF/XML by ``Accept`` or
``?format=``, in the DCAT-AP or the FAIR Data Point profile by ``Accept-Profile`` or
``?_profile=`` (the ``/fdp`` paths answer the FDP profile unless asked otherwise)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from converge_common.app import SessionDep
from converge_common.openapi import problem_responses
from fastapi import APIRouter, Header, Query, Request, Response
from rdflib import Graph

from converge_metadata.publishing.context import ContextDep
from converge_metadata.publishing.dcat import profiles, service
from converge_metadata.publishing.dcat.profiles import DCAT_AP, FDP, Profile
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
ProfileQuery = Annotated[
    str | None,
    Query(
        alias="_profile",
        description="dcat-ap or fdp, or a profile's URI (overrides Accept-Profile)",
    ),
]
AcceptProfileHeader = Annotated[
    str | None,
    Header(description="W3C Content Negotiation by Profile: profile URIs in angle brackets"),
]


@dataclass(frozen=True)
class _Negotiated:
    media_type: str
    profile: Profile


def _negotiate(
    default: Profile,
    *,
    format_param: str | None,
    accept: str | None,
    profile_param: str | None,
    accept_profile: str | None,
) -> _Negotiated:
    """Both choices made before any work, so that a 406 costs no query."""
    return _Negotiated(
        choose_rdf(format_param=format_param, accept=accept),
        profiles.choose_profile(
            profile_param=profile_param, accept_profile=accept_profile, default=default
        ),
    )


def _rdf(graph: Graph, chosen: _Negotiated) -> Response:
    body = serialise(profiles.apply(graph, chosen.profile), chosen.media_type)
    return Response(body, media_type=chosen.media_type, headers=profiles.headers(chosen.profile))


async def _catalog(
    request: Request, session: SessionDep, context: ContextDep, cursor: str | None
) -> Graph:
    settings: MetadataSettings = request.app.state.settings
    page = await service.catalog_page(
        session,
        context=context,
        codec=service.catalog_tokens(settings.secret_key.get_secret_value()),
        cursor=cursor,
        size=settings.dcat_page_size,
    )
    return page.graph


CursorQuery = Annotated[str | None, Query(description="Opaque page token (hydra:next)")]


@router.get("/dcat/catalog", response_class=Response, responses=_RDF_DOC)
async def get_catalog(
    request: Request,
    session: SessionDep,
    context: ContextDep,
    format: FormatQuery = None,
    accept: AcceptHeader = None,
    profile: ProfileQuery = None,
    accept_profile: AcceptProfileHeader = None,
    cursor: CursorQuery = None,
) -> Response:
    """The Node's ``dcat:Catalog``, one page of records at a time (Hydra paging), in DCAT-AP
    unless the FAIR Data Point profile is asked for."""
    chosen = _negotiate(
        DCAT_AP,
        format_param=format,
        accept=accept,
        profile_param=profile,
        accept_profile=accept_profile,
    )
    return _rdf(await _catalog(request, session, context, cursor), chosen)


@router.get("/fdp/catalog", response_class=Response, responses=_RDF_DOC)
async def get_fdp_catalog(
    request: Request,
    session: SessionDep,
    context: ContextDep,
    format: FormatQuery = None,
    accept: AcceptHeader = None,
    profile: ProfileQuery = None,
    accept_profile: AcceptProfileHeader = None,
    cursor: CursorQuery = None,
) -> Response:
    """The same catalogue as ``/dcat/catalog``, in the FAIR Data Point profile unless DCAT-AP
    is asked for."""
    chosen = _negotiate(
        FDP,
        format_param=format,
        accept=accept,
        profile_param=profile,
        accept_profile=accept_profile,
    )
    return _rdf(await _catalog(request, session, context, cursor), chosen)


@router.get("/dcat/datasets/{record_id}", response_class=Response, responses=_RDF_DOC)
async def get_dataset(
    record_id: str,
    request: Request,
    session: SessionDep,
    context: ContextDep,
    recorder: RecorderDep,
    format: FormatQuery = None,
    accept: AcceptHeader = None,
    profile: ProfileQuery = None,
    accept_profile: AcceptProfileHeader = None,
) -> Response:
    """One published record as DCAT-AP (a ``dcat:Dataset`` for datasets)."""
    chosen = _negotiate(
        DCAT_AP,
        format_param=format,
        accept=accept,
        profile_param=profile,
        accept_profile=accept_profile,
    )
    answer = _rdf(await service.dataset_graph(session, record_id, context=context), chosen)
    recorder.record(request, record_id=record_id, channel="dcat")
    return answer


@router.get("/fdp/datasets/{record_id}", response_class=Response, responses=_RDF_DOC)
async def get_fdp_dataset(
    record_id: str,
    request: Request,
    session: SessionDep,
    context: ContextDep,
    recorder: RecorderDep,
    format: FormatQuery = None,
    accept: AcceptHeader = None,
    profile: ProfileQuery = None,
    accept_profile: AcceptProfileHeader = None,
) -> Response:
    """One published record in the FAIR Data Point profile unless DCAT-AP is asked for."""
    chosen = _negotiate(
        FDP,
        format_param=format,
        accept=accept,
        profile_param=profile,
        accept_profile=accept_profile,
    )
    answer = _rdf(await service.dataset_graph(session, record_id, context=context), chosen)
    recorder.record(request, record_id=record_id, channel="dcat")
    return answer


@router.get("/fdp", response_class=Response, responses=_RDF_DOC)
async def get_fdp_root(
    session: SessionDep,
    context: ContextDep,
    format: FormatQuery = None,
    accept: AcceptHeader = None,
    profile: ProfileQuery = None,
    accept_profile: AcceptProfileHeader = None,
) -> Response:
    """FAIR Data Point root (``fdp:MetadataService``) pointing to the catalogue, in the FAIR
    Data Point profile unless DCAT-AP is asked for."""
    chosen = _negotiate(
        FDP,
        format_param=format,
        accept=accept,
        profile_param=profile,
        accept_profile=accept_profile,
    )
    return _rdf(await service.fdp_root_graph(session, context=context), chosen)
