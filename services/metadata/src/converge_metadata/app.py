"""The metadata service application: wiring only."""

from __future__ import annotations

from pathlib import Path

from converge_common.app import ServiceSpec, build_service_app
from converge_common.registration import registration_lifespan
from fastapi import FastAPI

from converge_metadata import DESCRIPTION, __version__
from converge_metadata.api import router
from converge_metadata.dependencies import vocabulary_lifespan
from converge_metadata.importers.jobs import import_jobs_lifespan
from converge_metadata.publishing.api import root_router as publishing_router
from converge_metadata.search.runtime import search_lifespan
from converge_metadata.settings import MetadataSettings, get_settings
from converge_metadata.usage.recorder import usage_lifespan
from converge_metadata.workspace import WORKSPACE
from converge_metadata.workspace.editing import router as record_forms_router
from converge_metadata.workspace.history import router as history_router
from converge_metadata.workspace.imports import UPLOAD_PATH
from converge_metadata.workspace.imports import router as imports_router
from converge_metadata.workspace.pages import router as workspace_router

__all__ = ["app", "create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: MetadataSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    spec = ServiceSpec(
        name="metadata",
        title="CONVERGE Metadata",
        version=__version__,
        description=DESCRIPTION,
        routers=[
            router,
            publishing_router,
            record_forms_router,
            workspace_router,
            history_router,
            imports_router,
        ],
        migrations=MIGRATIONS,
        lifespans=[
            vocabulary_lifespan,
            search_lifespan,
            usage_lifespan,
            import_jobs_lifespan,
            registration_lifespan(kind="metadata", api_version=__version__),
            WORKSPACE.lifespan,
        ],
        body_limits={
            "/api/v1/import": settings.import_max_bytes,
            "/api/v1/imports": settings.import_max_bytes,
            # the file and a few form fields
            UPLOAD_PATH: settings.import_max_bytes + 64 * 1024,
        },
    )
    app = build_service_app(settings, spec)
    WORKSPACE.install(app)
    return app


app = create_app()
