"""``/api/v1/webhooks``: subscribers of the change feed (federation admin)."""

from __future__ import annotations

from converge_common.app import SessionDep
from converge_common.auth import RequireFederationAdmin
from fastapi import APIRouter, Request, Response, status

from converge_registry.webhooks import service
from converge_registry.webhooks.schemas import WebhookCreate, WebhookCreated, WebhookRead

__all__ = ["router"]

router = APIRouter(tags=["webhooks"])


@router.post(
    "/webhooks",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookCreated,
    summary="Subscribe a URL to the change feed (the secret is shown only here)",
)
async def create_webhook(
    body: WebhookCreate, request: Request, session: SessionDep, _admin: RequireFederationAdmin
) -> WebhookCreated:
    subscription = await service.create_subscription(
        session, body, settings=request.app.state.settings
    )
    return WebhookCreated.model_validate(subscription)


@router.get("/webhooks", response_model=list[WebhookRead], summary="Subscribers and progress")
async def list_webhooks(session: SessionDep, _admin: RequireFederationAdmin) -> list[WebhookRead]:
    return [WebhookRead.model_validate(s) for s in await service.list_subscriptions(session)]


@router.delete(
    "/webhooks/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Unsubscribe"
)
async def delete_webhook(
    webhook_id: str, session: SessionDep, _admin: RequireFederationAdmin
) -> Response:
    await service.delete_subscription(session, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
