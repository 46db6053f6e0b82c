"""Delivers the change feed to each subscriber, signed, in order, at least once.

Each subscriber has a position in the feed (``delivered_seq``). A delivery is a batch of the
next changes after it, signed with :mod:`converge_common.webhooks`; a 2xx answer moves the
position on, anything else is retried with exponential back-off. The delivery id names the
subscriber and the batch, so a receiver that already took a batch can recognise a retry.
"""

from __future__ import annotations

import logging
import time

import httpx
import orjson
from converge_common.db import Database, utcnow
from converge_common.http import HttpLimits, fetch
from converge_common.periodic import PeriodicTask
from converge_common.webhooks import signature_headers

from converge_registry.changes import repository as changes
from converge_registry.changes.notifier import ChangeNotifier
from converge_registry.changes.schemas import ChangeRead
from converge_registry.models import WebhookSubscription
from converge_registry.settings import RegistrySettings
from converge_registry.webhooks import repository

__all__ = ["WebhookSender"]

logger = logging.getLogger("converge.registry.webhooks")
RETRY_TICK_S = 5.0


class WebhookSender:
    def __init__(
        self,
        db: Database,
        client: httpx.AsyncClient,
        notifier: ChangeNotifier,
        settings: RegistrySettings,
    ) -> None:
        self.db = db
        self.client = client
        self.notifier = notifier
        self.settings = settings
        timeout = settings.webhook_timeout_s
        self.limits = HttpLimits(
            connect_s=timeout, read_s=timeout, total_s=timeout, max_bytes=64 * 1024, retries=0
        )
        self._retry_at: dict[str, float] = {}
        # a new change wakes the sender; otherwise it retries failed deliveries every tick
        self.task = PeriodicTask(
            self._round,
            name="registry-webhooks",
            interval_s=RETRY_TICK_S,
            failure_event="webhook_round_failed",
            log=logger,
        )

    async def _deliver(self, subscription: WebhookSubscription) -> bool | None:
        """One batch to one subscriber: True delivered, False failed, None nothing to send."""
        async with self.db.sessionmaker() as session:
            rows = await changes.changes_after(
                session, subscription.delivered_seq, limit=self.settings.webhook_batch_size
            )
        if not rows:
            return None
        events = [ChangeRead.model_validate(r).model_dump(mode="json") for r in rows]
        delivery_id = f"{subscription.id}:{rows[0].seq}-{rows[-1].seq}"
        body = orjson.dumps({"delivery_id": delivery_id, "events": events})
        headers = {
            "Content-Type": "application/json",
            **signature_headers(subscription.secret, body, delivery_id=delivery_id),
        }
        error: str | None = None
        try:
            response = await fetch(
                self.client,
                "POST",
                subscription.url,
                limits=self.limits,
                content=body,
                headers=headers,
            )
            if not 200 <= response.status_code < 300:
                error = f"HTTP {response.status_code}"
        except (httpx.HTTPError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
        await self._record(subscription.id, rows[-1].seq if error is None else None, error)
        return error is None

    async def _record(self, sub_id: str, seq: int | None, error: str | None) -> None:
        async for session in self.db.session():
            subscription = await repository.get_subscription(session, sub_id)
            if subscription is None:
                return
            if seq is not None:
                subscription.delivered_seq = seq
                subscription.failures = 0
                subscription.last_error = None
                subscription.last_delivery_at = utcnow()
                self._retry_at.pop(sub_id, None)
            else:
                subscription.failures += 1
                subscription.last_error = error
                delay = min(self.settings.webhook_max_backoff_s, 2.0**subscription.failures)
                self._retry_at[sub_id] = time.monotonic() + delay
                logger.info("webhook delivery to %s failed: %s", subscription.url, error)

    async def run_once(self, *, ignore_backoff: bool = False) -> int:
        """Send what each subscriber has not had yet; returns the deliveries that succeeded."""
        async with self.db.sessionmaker() as session:
            subscriptions = list(await repository.active_subscriptions(session))
        delivered = 0
        now = time.monotonic()
        for subscription in subscriptions:
            if not ignore_backoff and self._retry_at.get(subscription.id, 0) > now:
                continue
            # drain the backlog, stopping at the first failure
            while await self._deliver(subscription) is True:
                delivered += 1
                async with self.db.sessionmaker() as session:
                    fresh = await repository.get_subscription(session, subscription.id)
                if fresh is None:
                    break
                subscription = fresh
        return delivered

    async def _round(self) -> None:
        await self.run_once()

    def start(self) -> None:
        self.notifier.subscribe(self.task.wake)
        self.task.start()

    async def stop(self) -> None:
        self.notifier.unsubscribe(self.task.wake)
        await self.task.stop()
