"""A small application built by the shared library alone, to test the library itself.

It is the only place where tables are made with ``create_all`` (the harness tests its own
machinery; every service builds its schema with its own migrations).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from converge_common.app import ServiceSpec, SessionDep, build_service_app
from converge_common.auth import CurrentPrincipal, RequireFederationAdmin, RequireNodeSteward
from converge_common.db import UTCDateTime, make_base_metadata
from converge_common.errors import NotFound
from converge_common.pagination import Page, PageRequest, SortField, keyset_page
from converge_common.settings import BaseServiceSettings
from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy import DateTime, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    metadata = make_base_metadata()


class Item(Base):
    __tablename__ = "item"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))


class Stamp(Base):
    """A ``UTCDateTime`` column, to test the shared type on both backends."""

    __tablename__ = "stamp"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ItemCreate(BaseModel):
    name: str = Field(min_length=2, max_length=100)
    tags: list[str] = Field(default_factory=list, max_length=3)
    size: int = Field(ge=0)


class ItemRead(BaseModel):
    id: int
    name: str
    created_at: datetime | None


class HarnessSettings(BaseServiceSettings):
    service_name: str = "harness"
    node_id: str = "de"


SORTS = ["name", "created_at", "id"]

router = APIRouter(prefix="/api/v1")


@router.post("/items", status_code=201)
async def create_item(body: ItemCreate, session: SessionDep, _: RequireNodeSteward) -> ItemRead:
    item = Item(name=body.name, created_at=datetime(2024, 1, 1 + body.size % 28))
    session.add(item)
    await session.flush()
    return ItemRead.model_validate(item, from_attributes=True)


@router.get("/items")
async def list_items(
    session: SessionDep,
    limit: Annotated[int | None, Query()] = None,
    cursor: Annotated[str | None, Query()] = None,
    sort: Annotated[str | None, Query()] = None,
) -> Page[ItemRead]:
    from converge_common.pagination import keyset_tokens

    request = PageRequest.parse(
        limit=limit,
        cursor=cursor,
        sort=sort,
        allowed=SORTS,
        default_sort="name",
        default_limit=3,
        max_limit=5,
    )
    codec = keyset_tokens("harness")
    fields = [
        SortField("name", Item.name),
        SortField("created_at", Item.created_at),
        SortField("id", Item.id),
    ]
    rows, next_cursor = await keyset_page(
        session, select(Item), request=request, sort_fields=fields, tiebreak=Item.id, codec=codec
    )
    return Page[ItemRead](
        items=[ItemRead.model_validate(r, from_attributes=True) for r in rows],
        next_cursor=next_cursor,
        limit=request.limit,
    )


@router.get("/items/{item_id}")
async def get_item(item_id: int, session: SessionDep) -> ItemRead:
    item = await session.get(Item, item_id)
    if item is None:
        raise NotFound(f"No item {item_id}")
    return ItemRead.model_validate(item, from_attributes=True)


@router.get("/whoami")
async def whoami(principal: CurrentPrincipal) -> dict[str, object]:
    return {
        "subject": principal.subject,
        "roles": sorted(principal.roles),
        "client_id": principal.client_id,
    }


@router.post("/admin-only")
async def admin_only(principal: RequireFederationAdmin) -> dict[str, str]:
    return {"subject": principal.subject}


@router.get("/page", response_class=HTMLResponse)
async def page() -> HTMLResponse:
    return HTMLResponse("<!doctype html><title>a page</title><p>hello</p>")


@router.get("/framed-page", response_class=HTMLResponse)
async def framed_page() -> HTMLResponse:
    policy = "default-src 'self'; frame-ancestors https://portal.example.org"
    return HTMLResponse("<p>embeddable</p>", headers={"Content-Security-Policy": policy})


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError("SELECT secret FROM table -- internal detail")


@asynccontextmanager
async def create_tables(app: FastAPI) -> AsyncIterator[None]:
    async with app.state.db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield


def create_harness_app(settings: HarnessSettings) -> FastAPI:
    spec = ServiceSpec(
        name="harness",
        title="Harness",
        version="0.0.0",
        description="test harness",
        routers=[router],
        database=True,
        lifespans=[create_tables],
    )
    app = build_service_app(settings, spec)
    return app
