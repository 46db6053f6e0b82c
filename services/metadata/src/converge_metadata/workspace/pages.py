"""The catalogue pages of the workspace: dashboard and records list."""

from __future__ import annotations

from converge_common.workspace import SignedInSteward, render_page
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

__all__ = ["router"]

router = APIRouter(
    prefix="/workspace", include_in_schema=False, default_response_class=HTMLResponse
)


@router.get("/")
async def dashboard(request: Request, user: SignedInSteward) -> HTMLResponse:
    return render_page(request, user, "dashboard.html", {})
