"""Widgets "handle LinkedIn login themselves": inside the iframe, a Recruiter seat holder of the
embedding app's organization signs in (sandbox style: pick a seat, no password) and is sent
back to the widget. The cookie is scoped to the widget pages only."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from sandbox import inmail
from sandbox.context import SandboxDep
from sandbox.routes.ui import SEAT_SQL, FormDep
from sandbox.widgets import (
    COOKIE_PATH,
    SEAT_COOKIE,
    SIGN_IN,
    WidgetRefused,
    WidgetRoute,
    embed_of,
    render_widget,
    signed_in_seat,
)

router = APIRouter(prefix="/rsc/widgets", route_class=WidgetRoute)


def next_page(request: Request) -> str:
    """Where to go afterwards: a widget page only, never elsewhere (no open redirect)."""
    target = request.query_params.get("next", "")
    if not target.startswith(COOKIE_PATH + "/") or "\\" in target:
        raise WidgetRefused(400, f"next: must be a path under {COOKIE_PATH}/, got {target!r}")
    return target


@router.get("/sign-in")
def sign_in_form(request: Request, sandbox: SandboxDep) -> Response:
    with sandbox.db.reading() as conn:
        embed = embed_of(conn, request)
        target = next_page(request)
        seats = conn.execute(
            SEAT_SQL + " AND o.id = ? ORDER BY s.contract_id, s.id", (embed.organization_id,)
        ).fetchall()
        seat = signed_in_seat(conn, request, embed)
    return render_widget(
        request, "widgets/sign_in.html", {"seats": seats, "seat": seat, "next": target}, embed
    )


@router.post("/sign-in")
def sign_in(request: Request, form: FormDep, sandbox: SandboxDep) -> Response:
    with sandbox.db.reading() as conn:
        embed = embed_of(conn, request)
        target = next_page(request)
        seat_id = inmail.number(form.get("seat_id"), "seat_id")
        row = conn.execute(
            SEAT_SQL + " AND s.id = ? AND o.id = ?", (seat_id, embed.organization_id)
        ).fetchone()
    if row is None:
        raise WidgetRefused(400, f"seat_id: no active seat {seat_id} in this organization")
    response = RedirectResponse(target, 303)
    response.set_cookie(SEAT_COOKIE, str(seat_id), path=COOKIE_PATH, httponly=True, samesite="lax")
    return response


@router.post("/sign-out")
def sign_out(request: Request, sandbox: SandboxDep) -> Response:
    with sandbox.db.reading() as conn:
        embed = embed_of(conn, request)
    response = RedirectResponse(f"{SIGN_IN}?{embed.query(next=next_page(request))}", 303)
    response.delete_cookie(SEAT_COOKIE, path=COOKIE_PATH)
    return response
