"""The gateway service application: wiring only."""

from __future__ import annotations

from converge_common.app import ServiceSpec, build_service_app
from converge_common.web import static_files
from fastapi import FastAPI

from converge_gateway import DESCRIPTION, __version__
from converge_gateway.api import routers
from converge_gateway.lifespan import gateway_lifespan, install_state
from converge_gateway.portal.render import STATIC_PATH
from converge_gateway.settings import GatewaySettings, get_settings

__all__ = ["app", "create_app"]


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    spec = ServiceSpec(
        name="gateway",
        title="CONVERGE Gateway",
        version=__version__,
        description=DESCRIPTION,
        routers=routers,
        database=False,
        lifespans=[gateway_lifespan],
    )
    app = build_service_app(settings, spec)
    install_state(app)
    # the portal's style sheet and favicon (shared with the Node workspace, which serves them
    # under a path of its own)
    app.mount(STATIC_PATH, static_files(), name="static")
    return app


app = create_app()
