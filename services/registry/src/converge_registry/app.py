"""The registry service application: wiring only."""

from __future__ import annotations

from pathlib import Path

from converge_common.app import ServiceSpec, build_service_app
from fastapi import FastAPI

from converge_registry import DESCRIPTION, __version__
from converge_registry.api import router
from converge_registry.lifespan import registry_lifespan
from converge_registry.settings import RegistrySettings, get_settings

__all__ = ["app", "create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    spec = ServiceSpec(
        name="registry",
        title="CONVERGE Registry",
        version=__version__,
        description=DESCRIPTION,
        routers=[router],
        migrations=MIGRATIONS,
        lifespans=[registry_lifespan],
    )
    return build_service_app(settings, spec)


app = create_app()
