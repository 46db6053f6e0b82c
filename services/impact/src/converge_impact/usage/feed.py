"""Pulling the Node's usage events from its metadata service, on a schedule.

The impact service asks ``GET {metadata_url}/api/v1/usage/events?after=<cursor>`` with its
own client-credentials token (the Node's admin role), validates every page against
:class:`FeedPage`, and stores events, the new cursor and the recounted months in one
transaction per pull, so a failure leaves nothing half-done and the next pull starts where
the last committed one ended.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from converge_common.app import http_limits
from converge_common.db import Database
from converge_common.http import HttpLimits, create_http_client, fetch
from converge_common.periodic import PeriodicTask
from fastapi import FastAPI
from pydantic import ValidationError

from converge_impact.settings import ImpactSettings
from converge_impact.tokens import ClientCredentials, TokenUnavailable
from converge_impact.usage import repository, service
from converge_impact.usage.schemas import FeedPage

__all__ = ["FeedError", "FeedPuller", "PullResult", "usage_feed_lifespan"]

logger = logging.getLogger("converge.impact.usage")

FEED_SOURCE = "metadata"


class FeedError(Exception):
    """The metadata service's answer could not be used."""


@dataclass(frozen=True)
class PullResult:
    pages: int
    events: int
    counted: int
    robots: int
    not_datasets: int
    months: list[str]
    cursor: str


class FeedPuller:
    def __init__(
        self,
        *,
        base_url: str,
        client: httpx.AsyncClient,
        credentials: ClientCredentials,
        limits: HttpLimits,
        page_size: int,
        max_pages: int,
    ) -> None:
        self._url = base_url.rstrip("/") + "/api/v1/usage/events"
        self._client = client
        self._credentials = credentials
        self._limits = limits
        self._page_size = page_size
        self._max_pages = max_pages

    async def _page(self, cursor: str) -> FeedPage:
        params = {"after": cursor, "limit": str(self._page_size)}
        for attempt in range(2):
            try:
                headers = await self._credentials.header()
            except TokenUnavailable as exc:
                raise FeedError(f"no token for the usage feed: {exc}") from exc
            response = await fetch(
                self._client, "GET", self._url, limits=self._limits, params=params, headers=headers
            )
            if response.status_code == 401 and attempt == 0:
                self._credentials.forget()  # rotated keys or a revoked token: once more
                continue
            if response.status_code != 200:
                raise FeedError(f"usage feed answered HTTP {response.status_code}")
            try:
                page = FeedPage.model_validate_json(response.content)
            except ValidationError as exc:
                raise FeedError(
                    f"usage feed answer is malformed: {exc.error_count()} errors"
                ) from exc
            if page.items and page.items[0].id <= int(cursor):
                raise FeedError("usage feed answered events before the cursor asked for")
            if len(page.items) > self._page_size:
                raise FeedError("usage feed answered more events than asked for")
            return page
        raise FeedError("usage feed refused the token")  # pragma: no cover

    async def pull(self, db: Database) -> PullResult:
        """One pull: every page up to ``max_pages``, in one transaction."""
        ingest = service.FeedIngest()
        pages = 0
        async for session in db.session():
            cursor = await repository.get_feed_cursor(session, FEED_SOURCE) or "0"
            while pages < self._max_pages:
                page = await self._page(cursor)
                pages += 1
                await service.ingest_feed_page(session, page, into=ingest)
                if not page.items:
                    break
                cursor = page.cursor
                if len(page.items) < self._page_size:
                    break
            await repository.set_feed_cursor(session, FEED_SOURCE, cursor, int(time.time()))
            months = service.feed_months(ingest)
            await service.process_months(session, months)
        return PullResult(
            pages=pages,
            events=ingest.events,
            counted=ingest.counted,
            robots=ingest.robots,
            not_datasets=ingest.not_datasets,
            months=service.feed_months(ingest),
            cursor=cursor,
        )


def puller_from_settings(settings: ImpactSettings, client: httpx.AsyncClient) -> FeedPuller | None:
    secret = settings.client_secret.get_secret_value()
    if not (settings.metadata_url and settings.client_id and secret and settings.oidc_issuer):
        return None
    limits = http_limits(settings)
    credentials = ClientCredentials(
        client,
        issuer=settings.oidc_issuer,
        client_id=settings.client_id,
        client_secret=secret,
        audience=settings.metadata_audience or settings.oidc_audience,
        scope=settings.metadata_scope or f"node:{settings.node_id}:admin",
        limits=limits,
    )
    return FeedPuller(
        base_url=settings.metadata_url,
        client=client,
        credentials=credentials,
        limits=limits,
        page_size=settings.usage_pull_page_size,
        max_pages=settings.usage_pull_max_pages,
    )


async def _pull_round(puller: FeedPuller, db: Database) -> None:
    result = await puller.pull(db)
    if result.events:
        logger.info(
            "pulled %d usage events (%d counted)",
            result.events,
            result.counted,
            extra={"event": "usage_pulled"},
        )


@asynccontextmanager
async def usage_feed_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Pulls the feed every ``usage_pull_interval_s`` while the service runs (when configured)."""
    settings: ImpactSettings = app.state.settings
    client = create_http_client(http_limits(settings))
    puller = puller_from_settings(settings, client)
    app.state.usage_feed = puller
    task = None
    if puller is not None:
        # the metadata service down, a bad answer, a token refused: logged, tried next time
        task = PeriodicTask(
            functools.partial(_pull_round, puller, app.state.db),
            name="usage-feed",
            interval_s=settings.usage_pull_interval_s,
            failure_event="usage_pull_failed",
            log=logger,
        )
        task.start()
    try:
        yield
    finally:
        if task is not None:
            await task.stop()
        await client.aclose()
