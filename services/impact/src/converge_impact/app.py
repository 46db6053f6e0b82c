"""The impact service application: wiring only."""

from __future__ import annotations

from pathlib import Path

from converge_common.app import ServiceSpec, build_service_app
from converge_common.registration import registration_lifespan
from fastapi import FastAPI

from converge_impact import DESCRIPTION, __version__
from converge_impact.api import router
from converge_impact.runtime import impact_lifespan
from converge_impact.settings import ImpactSettings, get_settings
from converge_impact.usage.feed import usage_feed_lifespan
from converge_impact.workspace.access import WORKSPACE, install_workspace
from converge_impact.workspace.pages import router as workspace

__all__ = ["app", "create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: ImpactSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    spec = ServiceSpec(
        name="impact",
        title="CONVERGE Impact",
        version=__version__,
        description=DESCRIPTION,
        routers=[router, workspace],
        migrations=MIGRATIONS,
        lifespans=[
            impact_lifespan,
            usage_feed_lifespan,
            registration_lifespan(kind="impact", api_version=__version__),
            WORKSPACE.lifespan,
        ],
        # CSV uploads, through the API and the workspace's form (multipart adds a little), and
        # web server logs, whose route streams them under its own cap
        body_limits={
            "/api/v1/usage/loads": settings.usage_upload_max_bytes,
            "/api/v1/values/bulk": settings.csv_max_bytes,
            "/workspace/upload": settings.csv_max_bytes + 64 * 1024,
        },
    )
    app = build_service_app(settings, spec)
    install_workspace(app)
    return app


app = create_app()
