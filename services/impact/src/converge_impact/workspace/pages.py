"""``/workspace/``: the impact pages of the Node workspace, for the Node's stewards and admins.

Server-rendered forms that work without JavaScript; every POST carries the session's CSRF
token; every page needs a signed-in steward of this Node (admins are stewards), and each write
calls the same service function as the API with the same :class:`Actor`, so the API's rules
(validation by Node admins only, one value per indicator and period, ``If-Match``) hold here
too. After a write the browser is sent on with 303 (post/redirect/get).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from converge_common.app import SessionDep
from converge_common.db import utcnow
from converge_common.errors import FieldError, Forbidden, InvalidInput, ProblemError
from converge_common.web.charts import bar_chart
from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from converge_impact.bulk import service as bulk
from converge_impact.dependencies import NodeDep, SettingsDep
from converge_impact.reporting import service as reporting
from converge_impact.reporting.annual import ANNUAL_REPORT_POLICY, render_annual_report
from converge_impact.runtime import RuntimeDep
from converge_impact.workspace import service
from converge_impact.workspace.access import Editor, Viewer
from converge_impact.workspace.forms import FormState

__all__ = ["router"]

router = APIRouter(prefix="/workspace", include_in_schema=False)
ValueId = Annotated[int, Path(ge=1, le=2**31 - 1)]
NOTICES = {
    "created": "The value was saved as a draft.",
    "corrected": "The correction was saved.",
    "submit": "The value was submitted: a Node admin validates it next.",
    "validate": "The value was validated: it is public now.",
    "return": "The value was returned to draft.",
    "refreshed": "The derived values were recomputed.",
}


def _see(path: str, **query: str) -> RedirectResponse:
    return RedirectResponse(path + (f"?{urlencode(query)}" if query else ""), status_code=303)


def _notice(request: Request) -> str | None:
    """What the last write did, said on the page it led to (post/redirect/get)."""
    return NOTICES.get(request.query_params.get("done", ""))


def _problem(viewer: Viewer, error: ProblemError) -> HTMLResponse:
    return viewer.render(
        "impact/problem.html",
        {"status": error.status, "detail": error.detail, "errors": error.errors},
        status=error.status,
    )


async def _form(request: Request) -> dict[str, str]:
    """The form's text fields (a file field is read where it is expected)."""
    form = await request.form(max_files=1, max_fields=20)
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


@router.get("/", response_class=HTMLResponse)
async def overview(request: Request, session: SessionDep, viewer: Viewer) -> HTMLResponse:
    wanted = service.OverviewFilter.parse(request.query_params)
    context = await service.overview(session, wanted=wanted)
    return viewer.render("impact/overview.html", {**context, "notice": _notice(request)})


@router.get("/values/new", response_class=HTMLResponse)
async def new_value(request: Request, session: SessionDep, viewer: Viewer) -> HTMLResponse:
    return viewer.render(
        "impact/value_new.html",
        {
            "state": service.new_value_form(request.query_params),
            "choices": await service.indicator_choices(session),
        },
    )


@router.post("/values", response_class=HTMLResponse)
async def create_value(request: Request, session: SessionDep, editor: Editor) -> Response:
    value, state = await service.create_value(session, await _form(request), actor=editor.actor)
    if value is None:
        return editor.render(
            "impact/value_new.html",
            {"state": state, "choices": await service.indicator_choices(session)},
            status=state.status,
        )
    return _see(f"/workspace/values/{value.id}", done="created")


async def _value_page(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    value_id: int,
    state: FormState | None = None,
) -> HTMLResponse:
    try:
        view = await service.value_view(session, value_id, actor=viewer.actor)
    except ProblemError as error:
        return _problem(viewer, error)
    if state is None:
        state = service.correction_form(view)
    return viewer.render(
        "impact/value.html",
        {"view": view, "state": state, "notice": _notice(request)},
        status=state.status,
    )


@router.get("/values/{value_id}", response_class=HTMLResponse)
async def value_page(
    request: Request, session: SessionDep, viewer: Viewer, value_id: ValueId
) -> HTMLResponse:
    return await _value_page(request, session, viewer, value_id)


@router.post("/values/{value_id}", response_class=HTMLResponse)
async def correct_value(
    request: Request, session: SessionDep, editor: Editor, value_id: ValueId
) -> Response:
    try:
        state = await service.correct_value(
            session, value_id, await _form(request), actor=editor.actor
        )
    except ProblemError as error:
        return _problem(editor, error)
    if state.invalid:
        return await _value_page(request, session, editor, value_id, state)
    return _see(f"/workspace/values/{value_id}", done="corrected")


async def _transition(
    request: Request,
    session: SessionDep,
    editor: Editor,
    value_id: int,
    action: service.Transition,
) -> Response:
    try:
        state = await service.transition(
            session, value_id, action, await _form(request), actor=editor.actor
        )
    except ProblemError as error:
        return _problem(editor, error)
    if state.invalid:
        return await _value_page(request, session, editor, value_id, state)
    return _see(f"/workspace/values/{value_id}", done=action)


@router.post("/values/{value_id}/submit", response_class=HTMLResponse)
async def submit_value(
    request: Request, session: SessionDep, editor: Editor, value_id: ValueId
) -> Response:
    return await _transition(request, session, editor, value_id, "submit")


@router.post("/values/{value_id}/validate", response_class=HTMLResponse)
async def validate_value(
    request: Request, session: SessionDep, editor: Editor, value_id: ValueId
) -> Response:
    """A Node admin's; a steward's request is refused by the service (403), as in the API."""
    return await _transition(request, session, editor, value_id, "validate")


@router.post("/values/{value_id}/return", response_class=HTMLResponse)
async def return_value(
    request: Request, session: SessionDep, editor: Editor, value_id: ValueId
) -> Response:
    return await _transition(request, session, editor, value_id, "return")


@router.get("/derived", response_class=HTMLResponse)
async def derived(
    request: Request, session: SessionDep, viewer: Viewer, runtime: RuntimeDep
) -> HTMLResponse:
    context = await service.derived_view(session, last_refresh=runtime.last_refresh)
    return viewer.render("impact/derived.html", {**context, "notice": _notice(request)})


@router.post("/derived/refresh", response_class=HTMLResponse)
async def refresh_derived(editor: Editor, runtime: RuntimeDep) -> Response:
    """Node admins only, as ``POST /api/v1/derived/refresh``."""
    if not editor.actor.admin:
        return _problem(editor, Forbidden("Recomputing derived values needs the Node admin role"))
    await runtime.refresh()
    return _see("/workspace/derived", done="refreshed")


@router.get("/upload", response_class=HTMLResponse)
async def upload_form(viewer: Viewer) -> HTMLResponse:
    return viewer.render("impact/upload.html", {"state": FormState(), "report": None})


async def _upload(request: Request, max_bytes: int) -> tuple[bytes, str]:
    form = await request.form(max_files=1, max_fields=5, max_part_size=max_bytes)
    upload = form.get("file")
    mode = form.get("mode")
    data = b""
    if isinstance(upload, UploadFile):
        data = await upload.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InvalidInput(
                f"The file is larger than {max_bytes} bytes",
                errors=[FieldError("/file", "max_bytes", f"at most {max_bytes} bytes")],
            )
    return data, mode if isinstance(mode, str) else "all"


@router.post("/upload", response_class=HTMLResponse)
async def upload(
    request: Request, session: SessionDep, editor: Editor, settings: SettingsDep
) -> HTMLResponse:
    try:
        data, mode = await _upload(request, settings.csv_max_bytes)
    except ProblemError as error:
        state = FormState().show(error, fields=("file",))
        return editor.render(
            "impact/upload.html", {"state": state, "report": None}, status=state.status
        )
    report, state = await service.upload_csv(
        session, data, mode=mode, actor=editor.actor, max_rows=settings.csv_max_rows
    )
    return editor.render(
        "impact/upload.html",
        {
            "state": state,
            "report": report,
            "rejections": service.rejections(report) if report else [],
            "written": await service.written_values(session, report) if report else [],
        },
        status=state.status,
    )


@router.get("/export/values.csv")
async def export_values(session: SessionDep, viewer: Viewer, node: NodeDep) -> Response:
    """The Node's values in every state, as ``GET /api/v1/export/values.csv``."""
    document = await bulk.export_document(session, node=node)
    return Response(
        bulk.to_csv(document, "values"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{node}-values.csv"'},
    )


@router.get("/charts", response_class=HTMLResponse)
async def charts(
    request: Request, session: SessionDep, viewer: Viewer, node: NodeDep
) -> HTMLResponse:
    query = request.query_params
    try:
        view = await service.charts_view(
            session,
            node=node,
            code=query.get("indicator"),
            granularity=query.get("granularity", "year"),
            period=query.get("period"),
        )
    except ProblemError as error:
        return _problem(viewer, error)
    chart: Any = None
    if view.series is not None:
        chart = bar_chart(
            [(p.period, p.value) for p in view.series.points],
            title=view.series.name,
            number=viewer.page.language.number,
        )
    return viewer.render(
        "impact/charts.html",
        {"view": view, "chart": chart, "granularities": service.GRANULARITIES},
    )


@router.get("/reports", response_class=HTMLResponse)
async def reports(session: SessionDep, viewer: Viewer) -> HTMLResponse:
    return viewer.render("impact/reports.html", {"years": await service.report_years(session)})


@router.get("/reports/{year}.html")
async def annual_report(
    session: SessionDep,
    viewer: Viewer,
    node: NodeDep,
    settings: SettingsDep,
    year: Annotated[str, Path(pattern=r"^[0-9]{4}$")],
) -> Response:
    """The annual report of ``GET /api/v1/annual-reports/{year}``, as a file to keep."""
    content = await reporting.annual_content(session, service.check_year(year), node=node)
    html = render_annual_report(content, node=node, node_name=settings.node_name, now=utcnow())
    return HTMLResponse(
        html,
        headers={
            "Content-Disposition": f'attachment; filename="{node}-impact-report-{year}.html"',
            "Content-Security-Policy": ANNUAL_REPORT_POLICY,
        },
    )
