"""Alembic environment of the metadata service."""

from __future__ import annotations

import asyncio

from alembic import context
from converge_common.db import run_env_online
from converge_metadata.models import Base

url = context.config.get_main_option("sqlalchemy.url") or ""
asyncio.run(run_env_online(url, Base.metadata))
