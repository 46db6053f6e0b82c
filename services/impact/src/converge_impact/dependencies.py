"""Request dependencies: the Node, and who is acting on it."""

from __future__ import annotations

from typing import Annotated

from converge_common.auth import OptionalPrincipal, RequireNodeSteward
from fastapi import Depends, Request

from converge_impact.settings import ImpactSettings
from converge_impact.values.service import Actor

__all__ = ["ActorDep", "NodeDep", "SettingsDep", "StewardDep"]


def _node(request: Request) -> str:
    return str(request.app.state.node_id)


def _settings(request: Request) -> ImpactSettings:
    settings: ImpactSettings = request.app.state.settings
    return settings


def _actor(request: Request, principal: OptionalPrincipal) -> Actor:
    return Actor.of(principal, _node(request))


def _steward(request: Request, principal: RequireNodeSteward) -> Actor:
    return Actor.of(principal, _node(request))


NodeDep = Annotated[str, Depends(_node)]
SettingsDep = Annotated[ImpactSettings, Depends(_settings)]
# anyone: anonymous callers and other Nodes' people see validated values only
ActorDep = Annotated[Actor, Depends(_actor)]
# the Node's stewards and admins (401 without a token, 403 without the role)
StewardDep = Annotated[Actor, Depends(_steward)]
