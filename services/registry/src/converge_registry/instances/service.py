"""A Node's service registers, heartbeats and leaves; everybody reads states."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from converge_common.pagination import KeysetCursor, PageRequest, SortField, keyset_page
from converge_common.ssrf import UnsafeURL, check_url
from converge_common.tokens import SignedToken
from sqlalchemy.ext.asyncio import AsyncSession

from converge_registry.changes.service import record_change
from converge_registry.health.availability import availability
from converge_registry.health.service import apply_heartbeat, set_state
from converge_registry.health.states import State
from converge_registry.instances import repository
from converge_registry.instances.exceptions import RefusedTarget, ServiceNotFound
from converge_registry.instances.schemas import (
    Capabilities,
    ProbeRead,
    ServiceDetail,
    ServiceRead,
    ServiceRegistration,
    WindowAvailability,
)
from converge_registry.models import Node, ServiceInstance, StateTransition
from converge_registry.settings import RegistrySettings

__all__ = [
    "SORT_FIELDS",
    "detail",
    "get_instance",
    "heartbeat",
    "history",
    "list_services",
    "register",
    "retire",
    "services_of_node",
    "to_read",
]

SORT_FIELDS = [SortField("id", ServiceInstance.id)]
HISTORY_SORT = [SortField("at", StateTransition.at)]


def to_read(instance: ServiceInstance) -> ServiceRead:
    return ServiceRead(
        node_id=instance.node_id,
        kind=instance.kind,
        base_url=instance.base_url,
        api_version=instance.api_version,
        capabilities=Capabilities.model_validate(instance.capabilities or {}),
        state=instance.state,
        state_since=instance.state_since,
        last_seen_at=instance.last_seen_at,
        last_heartbeat_at=instance.last_heartbeat_at,
        last_probe=ProbeRead(
            at=instance.last_probe_at,
            result=instance.last_probe_result,
            status=instance.last_probe_status,
            latency_ms=instance.last_probe_latency_ms,
            error=instance.last_probe_error,
        ),
        registered_at=instance.registered_at,
        updated_at=instance.updated_at,
    )


async def get_instance(session: AsyncSession, node_id: str, kind: str) -> ServiceInstance:
    instance = await repository.get_instance(session, node_id, kind)
    if instance is None:
        raise ServiceNotFound(node_id, kind)
    return instance


async def _create(
    session: AsyncSession, node: Node, kind: str, data: ServiceRegistration, *, now: datetime
) -> ServiceInstance:
    instance = ServiceInstance(
        node_id=node.id,
        kind=kind,
        base_url=data.base_url,
        api_version=data.api_version,
        capabilities=data.capabilities.model_dump(),
        state=State.UNKNOWN.value,
        state_since=now,
        registered_at=now,
        updated_at=now,
        consecutive_failures=0,
        next_probe_at=now,
    )
    session.add(instance)
    await session.flush()
    session.add(
        StateTransition(
            service_id=instance.id, from_state=None, to_state="unknown", reason="registered", at=now
        )
    )
    await record_change(
        session,
        type="service.registered",
        node_id=node.id,
        kind=kind,
        data={"base_url": data.base_url, "api_version": data.api_version},
    )
    return instance


async def _update(
    session: AsyncSession, instance: ServiceInstance, data: ServiceRegistration, *, now: datetime
) -> None:
    capabilities = data.capabilities.model_dump()
    moved = instance.base_url != data.base_url
    changed = moved or (instance.api_version, instance.capabilities) != (
        data.api_version,
        capabilities,
    )
    if instance.state == State.RETIRED:
        await set_state(session, instance, State.UNKNOWN, "registered again", now=now)
        moved = True
    if moved:
        # a new address: failures seen at the old one say nothing about it
        instance.consecutive_failures = 0
    if changed:
        instance.base_url = data.base_url
        instance.api_version = data.api_version
        instance.capabilities = capabilities
        instance.updated_at = now
        await record_change(
            session,
            type="service.updated",
            node_id=instance.node_id,
            kind=instance.kind,
            data={"base_url": data.base_url, "api_version": data.api_version},
        )
    instance.next_probe_at = now


async def register(
    session: AsyncSession,
    node: Node,
    kind: str,
    data: ServiceRegistration,
    *,
    settings: RegistrySettings,
    now: datetime,
) -> tuple[ServiceInstance, bool]:
    """Create or update the Node's own registration (idempotent); it counts as a heartbeat."""
    try:
        await check_url(data.base_url, allow_private=settings.allow_private_targets)
    except UnsafeURL as exc:
        raise RefusedTarget(str(exc)) from exc
    instance = await repository.get_instance(session, node.id, kind)
    created = instance is None
    if instance is None:
        instance = await _create(session, node, kind, data, now=now)
    else:
        await _update(session, instance, data, now=now)
    await apply_heartbeat(session, instance, settings=settings, now=now)
    await session.flush()
    return instance, created


async def heartbeat(
    session: AsyncSession, node: Node, kind: str, *, settings: RegistrySettings, now: datetime
) -> ServiceInstance:
    instance = await get_instance(session, node.id, kind)
    if instance.state == State.RETIRED:
        raise ServiceNotFound(node.id, kind)
    await apply_heartbeat(session, instance, settings=settings, now=now)
    await session.flush()
    return instance


async def retire(session: AsyncSession, node: Node, kind: str, *, now: datetime) -> None:
    instance = await get_instance(session, node.id, kind)
    await set_state(session, instance, State.RETIRED, "deregistered", now=now)
    instance.next_probe_at = None
    instance.consecutive_failures = 0


async def detail(session: AsyncSession, node_id: str, kind: str, *, now: datetime) -> ServiceDetail:
    instance = await get_instance(session, node_id, kind)
    windows = await availability(session, instance.id, now=now)
    return ServiceDetail(
        **to_read(instance).model_dump(),
        availability={k: WindowAvailability.model_validate(v) for k, v in windows.items()},
    )


async def list_services(
    session: AsyncSession,
    *,
    page: PageRequest,
    codec: SignedToken[KeysetCursor],
    kind: str | None,
    node_id: str | None,
    states: Sequence[str],
) -> tuple[list[ServiceInstance], str | None]:
    wanted = list(states) or ["unknown", "active", "degraded", "unreachable"]
    stmt = repository.instances_query(kind=kind, node_id=node_id, states=wanted)
    return await keyset_page(
        session,
        stmt,
        request=page,
        sort_fields=SORT_FIELDS,
        tiebreak=ServiceInstance.id,
        codec=codec,
    )


async def history(
    session: AsyncSession,
    node_id: str,
    kind: str,
    *,
    page: PageRequest,
    codec: SignedToken[KeysetCursor],
) -> tuple[list[StateTransition], str | None]:
    instance = await get_instance(session, node_id, kind)
    return await keyset_page(
        session,
        repository.transitions_query(instance.id),
        request=page,
        sort_fields=HISTORY_SORT,
        tiebreak=StateTransition.id,
        codec=codec,
    )


async def services_of_node(session: AsyncSession, node_id: str) -> Sequence[ServiceInstance]:
    return await repository.instances_of_node(session, node_id)
