"""The Unified Search and Recommended Matches widgets LinkedIn renders inside an ATS page
(RSC's widget pages: facets, In-ATS indicator, Save to Job, Send InMail, Not interested).

Both need a signed-in seat of the embedding app's organization, the organization's URN as
`integrationContext`, and that integration enabled. Pages keep their whole state in the query
string (embed, facets or job, paging), so a form posts to the page's own query and the
redirect after success lands on the same results, with the ids of what was done: the page
shows it and posts the callbacks. A refusal re-renders the page with LinkedIn's message and
its status.
"""

import sqlite3
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from sandbox import in_ats, inmail, member_search, recommendations, state, widget_actions
from sandbox.context import Sandbox, SandboxDep
from sandbox.errors import LinkedInError, bad_request
from sandbox.routes.ui import Form, FormDep
from sandbox.widgets import (
    Embed,
    WidgetRoute,
    callback,
    embed_of,
    render_widget,
    sign_in_redirect,
    signed_in_seat,
)

router = APIRouter(prefix="/rsc/widgets", route_class=WidgetRoute)

SEARCH = "/rsc/widgets/unified-search"
MATCHES = "/rsc/widgets/recommended-matches"
# Query parameters that describe one action, never carried on to the next page.
ACTION_PARAMS = frozenset({"act", "member", "requestId", "thread"})
STREAM_STEP = 10


def _organization_context(
    conn: sqlite3.Connection, request: Request, embed: Embed, integration_type: str
) -> str:
    context = request.query_params.get("integrationContext", "")
    if not context:
        raise bad_request(f"integrationContext: required ({embed.organization_urn})")
    if context != embed.organization_urn:
        raise LinkedInError(
            403,
            f"integrationContext: {context!r} is not the organization of application "
            f"{embed.client_id} ({embed.organization_urn})",
        )
    enabled = conn.execute(
        "SELECT 1 FROM integrations WHERE client_id = ? AND integration_context = ? "
        "AND integration_type = ? AND onboarding_status = 'ONBOARDED'",
        (embed.client_id, context, integration_type),
    ).fetchone()
    if enabled is None:
        raise LinkedInError(
            403, f"{context} has not enabled {integration_type} for application {embed.client_id}"
        )
    return context


def _visit(
    conn: sqlite3.Connection, request: Request, integration_type: str
) -> tuple[Embed, sqlite3.Row | None]:
    embed = embed_of(conn, request)
    _organization_context(conn, request, embed, integration_type)
    return embed, signed_in_seat(conn, request, embed)


def _signed_in(sandbox: Sandbox, request: Request, integration_type: str) -> tuple[Embed, Any]:
    """For a form post: the embed and the seat, or a refusal (the page asks to sign in)."""
    with sandbox.db.reading() as conn:
        embed, seat = _visit(conn, request, integration_type)
    if seat is None:
        raise LinkedInError(401, "Sign in to LinkedIn first: reload the widget to sign in")
    return embed, seat


def _kept_params(request: Request) -> list[tuple[str, str]]:
    return [(k, v) for k, v in request.query_params.multi_items() if k not in ACTION_PARAMS]


def _back(path: str, request: Request, **done: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode([*_kept_params(request), *done.items()])}", 303)


def _page_number(request: Request, name: str) -> int:
    raw = request.query_params.get(name, "1")
    if not raw.isdigit() or int(raw) < 1:
        raise bad_request(f"{name}: expected a page number from 1, got {raw!r}")
    return int(raw)


def _member_number(form: Form) -> int:
    return inmail.number(form.get("member"), "member")


def _action_context(
    conn: sqlite3.Connection,
    request: Request,
    sandbox: Sandbox,
    seat: sqlite3.Row,
    act: str,
    member: str,
) -> dict[str, Any]:
    """What every page of these widgets shows: the open action, credits, what was just done."""
    done = widget_actions.done(
        conn,
        seat,
        request.query_params.get("requestId", ""),
        request.query_params.get("thread", ""),
    )
    acting_on = inmail.member(conn, inmail.number(member, "member")) if act else None
    job_choices, jobs_problem = (
        widget_actions.pickable_jobs(conn, seat) if act == "save" else ([], "")
    )
    return {
        "seat": seat,
        "act": act,
        "acting_on": acting_on,
        "jobs": job_choices,
        "jobs_problem": jobs_problem,
        "inmails_left": inmail.inmails_left(conn, seat["id"], sandbox.clock.now_ms()),
        "inmail_quota": state.current(conn)["inmail_quota_per_seat"],
        "subject_max": inmail.SUBJECT_MAX,
        "body_max": inmail.BODY_MAX,
        "notices": done.notices,
        "callbacks": [callback(name, payload) for name, payload in done.callbacks],
        "kept": urlencode(_kept_params(request)),
    }


# Unified Search ----------------------------------------------------------------------------

SEARCH_ACTS = ("inmail", "save")


def _search_page(
    request: Request,
    sandbox: Sandbox,
    *,
    act: str = "",
    member: str = "",
    error: LinkedInError | None = None,
    form: Form | None = None,
) -> Response:
    filters = member_search.Filters.parse(request.query_params.multi_items())
    page, ats_page = _page_number(request, "page"), _page_number(request, "atsPage")
    if act and act not in SEARCH_ACTS:
        raise bad_request(f"act: expected one of {', '.join(SEARCH_ACTS)}, got {act!r}")
    with sandbox.db.reading() as conn:
        embed, seat = _visit(conn, request, "UNIFIED_SEARCH")
        if seat is None:
            return sign_in_redirect(request, embed)
        context = _action_context(conn, request, sandbox, seat, act, member)
        found = not filters.empty
        context |= {
            "filters": filters,
            "searched": found,
            "members": member_search.members(
                conn, embed.client_id, embed.organization_id, filters, page
            )
            if found
            else None,
            "candidates": member_search.ats_only_candidates(
                conn, embed.client_id, filters, ats_page
            )
            if found
            else None,
            "embed_params": urlencode(
                [
                    ("api_key", embed.client_id),
                    ("origin", embed.origin),
                    ("integrationContext", embed.organization_urn),
                ]
            ),
            "error": error,
            "form": form or Form([]),
        }
    return render_widget(
        request, "widgets/unified_search.html", context, embed, error.status if error else 200
    )


@router.get("/unified-search")
def unified_search(request: Request, sandbox: SandboxDep) -> Response:
    return _search_page(
        request,
        sandbox,
        act=request.query_params.get("act", ""),
        member=request.query_params.get("member", ""),
    )


@router.post("/unified-search/inmail")
def search_inmail(request: Request, form: FormDep, sandbox: SandboxDep) -> Response:
    _, seat = _signed_in(sandbox, request, "UNIFIED_SEARCH")
    try:
        thread = widget_actions.send_inmail(
            sandbox, seat, _member_number(form), form.get("subject"), form.get("body")
        )
    except LinkedInError as exc:
        return _search_page(
            request, sandbox, act="inmail", member=form.get("member"), error=exc, form=form
        )
    return _back(SEARCH, request, thread=str(thread))


@router.post("/unified-search/save")
def search_save(request: Request, form: FormDep, sandbox: SandboxDep) -> Response:
    _, seat = _signed_in(sandbox, request, "UNIFIED_SEARCH")
    try:
        request_id = widget_actions.save_to_job(
            sandbox, seat, _member_number(form), form.get("job")
        )
    except LinkedInError as exc:
        return _search_page(
            request, sandbox, act="save", member=form.get("member"), error=exc, form=form
        )
    return _back(SEARCH, request, requestId=request_id)


# Recommended Matches -----------------------------------------------------------------------

MATCHES_ACTS = ("save-inmail",)


def _stream_window(request: Request) -> tuple[int, int]:
    start, count = request.query_params.get("start", "0"), request.query_params.get("count", "")
    if not start.isdigit():
        raise bad_request(f"start: expected a number from 0, got {start!r}")
    count = count or str(STREAM_STEP)
    if not count.isdigit() or not 1 <= int(count) <= recommendations.COUNT_MAX:
        raise bad_request(
            f"count: expected a number from 1 to {recommendations.COUNT_MAX}, got {count!r}"
        )
    return int(start), int(count)


def _job_id(request: Request) -> str:
    job_id = request.query_params.get("jobId", "").strip()
    if not job_id:
        raise bad_request("jobId: required (the job's externalJobPostingId)")
    return job_id


def _matches_page(
    request: Request,
    sandbox: Sandbox,
    *,
    act: str = "",
    member: str = "",
    error: LinkedInError | None = None,
    form: Form | None = None,
) -> Response:
    job_id = _job_id(request)
    start, count = _stream_window(request)
    if act and act not in MATCHES_ACTS:
        raise bad_request(f"act: expected one of {', '.join(MATCHES_ACTS)}, got {act!r}")
    with sandbox.db.reading() as conn:
        embed, seat = _visit(conn, request, "RECOMMENDED_MATCHES")
        target = recommendations.job(conn, embed.client_id, embed.organization_urn, job_id)
        if seat is None:
            return sign_in_redirect(request, embed)
        context = _action_context(conn, request, sandbox, seat, act, member)
        visible, problem = widget_actions.pickable_jobs(conn, seat)
        shown, more = recommendations.stream(
            conn, embed.client_id, target, seat["id"], start, count
        )
        known = in_ats.known_among(
            conn, embed.client_id, embed.organization_id, [r.member["id"] for r in shown]
        )
        for recommendation in shown:
            recommendation.member["in_ats"] = recommendation.member["id"] in known
        kept = [(k, v) for k, v in _kept_params(request) if k not in ("start", "count")]
        context |= {
            "target": target,
            "stream": shown,
            "start": start,
            "more": urlencode([*kept, ("start", start), ("count", count + STREAM_STEP)])
            if more and count + STREAM_STEP <= recommendations.COUNT_MAX
            else "",
            "may_save": job_id in {job["externalJobPostingId"] for job in visible},
            "save_problem": problem,
            "error": error,
            "form": form or Form([]),
        }
    return render_widget(
        request, "widgets/recommended_matches.html", context, embed, error.status if error else 200
    )


@router.get("/recommended-matches")
def recommended_matches(request: Request, sandbox: SandboxDep) -> Response:
    return _matches_page(
        request,
        sandbox,
        act=request.query_params.get("act", ""),
        member=request.query_params.get("member", ""),
    )


@router.post("/recommended-matches/not-interested")
def not_interested(request: Request, form: FormDep, sandbox: SandboxDep) -> Response:
    embed, seat = _signed_in(sandbox, request, "RECOMMENDED_MATCHES")
    job_id, member_id = _job_id(request), _member_number(form)
    with sandbox.db.transaction() as conn:
        target = recommendations.job(conn, embed.client_id, embed.organization_urn, job_id)
        recommendations.not_interested(
            conn, embed.client_id, target.job_id, seat["id"], member_id, sandbox.clock.now_ms()
        )
    return _back(MATCHES, request)


@router.post("/recommended-matches/save")
def matches_save(request: Request, form: FormDep, sandbox: SandboxDep) -> Response:
    _, seat = _signed_in(sandbox, request, "RECOMMENDED_MATCHES")
    try:
        request_id = widget_actions.save_to_job(
            sandbox, seat, _member_number(form), _job_id(request)
        )
    except LinkedInError as exc:
        return _matches_page(request, sandbox, error=exc, form=form)
    return _back(MATCHES, request, requestId=request_id)


@router.post("/recommended-matches/save-and-inmail")
def matches_save_and_inmail(request: Request, form: FormDep, sandbox: SandboxDep) -> Response:
    _, seat = _signed_in(sandbox, request, "RECOMMENDED_MATCHES")
    try:
        request_id, thread = widget_actions.save_and_inmail(
            sandbox,
            seat,
            _member_number(form),
            _job_id(request),
            form.get("subject"),
            form.get("body"),
        )
    except LinkedInError as exc:
        return _matches_page(
            request, sandbox, act="save-inmail", member=form.get("member"), error=exc, form=form
        )
    return _back(MATCHES, request, requestId=request_id, thread=str(thread))
