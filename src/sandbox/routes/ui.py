"""LinkedIn Recruiter's screens, to play the recruiter and the candidate by hand: sign in as a
seat holder, search members, open a profile, then ⋯ → Export to ATS (1-Click Export to a job the
seat may see), Send InMail or Add note; a member's inbox answers and replies to InMails.
LinkedIn's address of a member's Recruiter profile, /talent/profile/{person id} (where an ATS
links a connected candidate), opens that member's page, after signing in if needed.

Follows LinkedIn's account of the Recruiter side of RSC:
https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/retrieve-exported-candidates
https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/recruiter-prospect-interactions

Server-rendered and usable without JavaScript. Forms post and redirect (PRG); a refusal
re-renders the page with LinkedIn's message inline and its status, bad input answers 400 naming
the field. The signed-in seat is a plain cookie holding the seat number (a sandbox: no password,
nothing to sign), looked up in the seats table on every request.
"""

import re
import sqlite3
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from sandbox import exporting, inmail, jobs, state
from sandbox.context import Sandbox, SandboxDep, get_sandbox
from sandbox.errors import LinkedInError, bad_request

HERE = Path(__file__).parent.parent
SEAT_COOKIE = "recruiter_seat"
# Where to go after signing in, when a profile link found no one signed in.
NEXT_COOKIE = "recruiter_next"
NEXT_SECONDS = 600
SIGN_IN = "/recruiter/sign-in"
MEMBER_PAGE = re.compile(r"/recruiter/members/[0-9]+")
PAGE_SIZE = 25
QUERY_MAX = 200
PANELS = ("export", "inmail", "note")
SEARCH_FIELDS = ("first_name || ' ' || last_name", "title", "company", "location")
# What a redirect after a successful form says (`?done=`); unknown values say nothing.
NOTICES = {
    "export": "Exported to your ATS.",
    "inmail": "InMail sent.",
    "note": "Note added.",
    "reply": "Reply sent.",
    "shared": "Answer sent. Your contact details were shared with the recruiter.",
    "answered": "Answer sent.",
}
SEAT_SQL = (
    "SELECT s.*, m.person_id, c.name AS contract_name, o.id AS organization_id, "
    "o.name AS organization_name FROM seats s JOIN members m ON m.id = s.member_id "
    "JOIN contracts c ON c.id = s.contract_id JOIN organizations o ON o.id = c.organization_id "
    "WHERE s.state = 'ACTIVE'"
)


def when(epoch_ms: int) -> str:
    return time.strftime("%d %b %Y, %H:%M UTC", time.gmtime(epoch_ms / 1000))


templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["when"] = when
static = StaticFiles(directory=HERE / "static")


def seat_from_cookie(conn: sqlite3.Connection, request: Request) -> sqlite3.Row | None:
    raw = request.cookies.get(SEAT_COOKIE, "")
    if not raw.isdigit():
        return None
    return conn.execute(SEAT_SQL + " AND s.id = ?", (int(raw),)).fetchone()


def current_seat(sandbox: Sandbox, request: Request) -> sqlite3.Row | None:
    with sandbox.db.reading() as conn:
        return seat_from_cookie(conn, request)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status)


def error_page(request: Request, error: LinkedInError) -> Response:
    seat = current_seat(get_sandbox(request), request)
    return render(request, "recruiter/error.html", {"error": error, "seat": seat}, error.status)


class HtmlErrors(APIRoute):
    """A LinkedInError a page raises becomes an HTML error page, not LinkedIn's JSON body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except LinkedInError as exc:
                return error_page(request, exc)

        return answer


# The Recruiter screens; `router` (at the end) adds LinkedIn's public profile address to them.
screens = APIRouter(prefix="/recruiter", route_class=HtmlErrors)


@dataclass
class Form:
    """An urlencoded form body (the sandbox reads it without python-multipart)."""

    pairs: list[tuple[str, str]]

    def get(self, name: str) -> str:
        return next((value for key, value in self.pairs if key == name), "")

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]


async def read_form(request: Request) -> Form:
    try:
        text = (await request.body()).decode()
    except UnicodeDecodeError:
        raise bad_request("form: not UTF-8") from None
    return Form(parse_qsl(text, keep_blank_values=True))


FormDep = Annotated[Form, Depends(read_form)]


def redirect(path: str, **query: Any) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode(query)}" if query else path, 303)


# Sign-in -----------------------------------------------------------------------------------


@screens.get("")
def home(request: Request, sandbox: SandboxDep) -> Response:
    return redirect("/recruiter/search" if current_seat(sandbox, request) else SIGN_IN)


def sign_in_page(
    request: Request, sandbox: Sandbox, error: LinkedInError | None = None
) -> Response:
    with sandbox.db.reading() as conn:
        seats = conn.execute(SEAT_SQL + " ORDER BY s.contract_id, s.id").fetchall()
        signed_in = seat_from_cookie(conn, request)
    return render(
        request,
        "recruiter/sign_in.html",
        {"seats": seats, "seat": signed_in, "error": error},
        error.status if error else 200,
    )


@screens.get("/sign-in")
def sign_in_form(request: Request, sandbox: SandboxDep) -> Response:
    return sign_in_page(request, sandbox)


@screens.post("/sign-in")
def sign_in(request: Request, form: FormDep, sandbox: SandboxDep) -> Response:
    try:
        seat_id = inmail.number(form.get("seat_id"), "seat_id")
        with sandbox.db.reading() as conn:
            if conn.execute(SEAT_SQL + " AND s.id = ?", (seat_id,)).fetchone() is None:
                raise bad_request(f"seat_id: no active seat {seat_id}")
    except LinkedInError as exc:
        return sign_in_page(request, sandbox, exc)
    wanted = request.cookies.get(NEXT_COOKIE, "")
    response = redirect(wanted if MEMBER_PAGE.fullmatch(wanted) else "/recruiter/search")
    response.set_cookie(SEAT_COOKIE, str(seat_id), path="/recruiter", httponly=True, samesite="lax")
    response.delete_cookie(NEXT_COOKIE, path="/recruiter")
    return response


@screens.post("/sign-out")
def sign_out() -> Response:
    response = redirect(SIGN_IN)
    response.delete_cookie(SEAT_COOKIE, path="/recruiter")
    return response


# Search ------------------------------------------------------------------------------------


def positive_page(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise bad_request(f"page: expected a page number from 1, got {raw!r}")
    return int(raw)


def search_members(conn: sqlite3.Connection, q: str, page: int) -> tuple[list[sqlite3.Row], bool]:
    """A page of open members whose name, title, company or location contain every word of q,
    and whether another page follows (no total: a count would scan a million members)."""
    where, args = ["closed_at IS NULL"], []
    for word in q.split():
        where.append("(" + " OR ".join(f"instr(lower({f}), ?) > 0" for f in SEARCH_FIELDS) + ")")
        args += [word.lower()] * len(SEARCH_FIELDS)
    rows = conn.execute(
        f"SELECT * FROM members WHERE {' AND '.join(where)} ORDER BY id LIMIT ? OFFSET ?",  # noqa: S608
        [*args, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE],
    ).fetchall()
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


@screens.get("/search")
def search(request: Request, sandbox: SandboxDep) -> Response:
    q = request.query_params.get("q", "").strip()
    if len(q) > QUERY_MAX:
        raise bad_request(f"q: at most {QUERY_MAX} characters (got {len(q)})")
    page = positive_page(request.query_params.get("page", "1"))
    with sandbox.db.reading() as conn:
        seat = seat_from_cookie(conn, request)
        if seat is None:
            return redirect(SIGN_IN)
        members, more = search_members(conn, q, page)
    return render(
        request,
        "recruiter/search.html",
        {
            "seat": seat,
            "q": q,
            "page": page,
            "members": members,
            "more": more,
            "first": (page - 1) * PAGE_SIZE + 1,
        },
    )


# Profile and the recruiter's actions -------------------------------------------------------


def seat_jobs(conn: sqlite3.Connection, seat: sqlite3.Row) -> tuple[list[dict[str, Any]], str]:
    """The jobs the seat holder may export to (those of the ATS the organization exports to),
    or no jobs and why."""
    try:
        client_id = exporting.exporting_app(conn, f"urn:li:organization:{seat['organization_id']}")
    except LinkedInError as exc:
        return [], exc.message
    return jobs.visible_jobs(conn, client_id, inmail.person_urn(seat["person_id"])), ""


def threads_with(
    conn: sqlite3.Connection, member_id: int, seat_id: int | None = None
) -> list[dict[str, Any]]:
    """A member's InMail threads (with one seat, or with any), newest activity first."""
    grouped: dict[int, list[sqlite3.Row]] = {}
    for event in conn.execute(
        "SELECT e.*, s.first_name AS seat_first_name, s.last_name AS seat_last_name "
        "FROM conversation_events e JOIN seats s ON s.id = e.seat_id "
        "WHERE e.member_id = ? AND (? IS NULL OR e.seat_id = ?) ORDER BY e.created_at, e.id",
        (member_id, seat_id, seat_id),
    ):
        grouped.setdefault(event["thread_id"], []).append(event)
    threads = [
        {
            "id": thread_id,
            "subject": events[0]["subject"],
            "seat_name": f"{events[0]['seat_first_name']} {events[0]['seat_last_name']}",
            "events": events,
            "answered": any(event["from_member"] for event in events),
            "last_at": events[-1]["created_at"],
        }
        for thread_id, events in grouped.items()
    ]
    return sorted(threads, key=lambda thread: (thread["last_at"], thread["id"]), reverse=True)


def profile_page(
    request: Request,
    sandbox: Sandbox,
    member_id: str,
    *,
    panel: str = "",
    error: LinkedInError | None = None,
    form: Form | None = None,
) -> Response:
    with sandbox.db.reading() as conn:
        seat = seat_from_cookie(conn, request)
        if seat is None:
            return redirect(SIGN_IN)
        member = inmail.member(conn, inmail.number(member_id, "member_id"))
        job_choices, jobs_problem = seat_jobs(conn, seat) if panel == "export" else ([], "")
        context = {
            "seat": seat,
            "member": member,
            "panel": panel,
            "error": error,
            "form": form or Form([]),
            "notice": NOTICES.get(request.query_params.get("done", ""), ""),
            "request_id": request.query_params.get("request_id", ""),
            "jobs": job_choices,
            "jobs_problem": jobs_problem,
            "threads": threads_with(conn, member["id"], seat["id"]),
            "notes": conn.execute(
                "SELECT * FROM prospect_notes WHERE seat_id = ? AND member_id = ? AND active = 1 "
                "ORDER BY created_at DESC, id DESC",
                (seat["id"], member["id"]),
            ).fetchall(),
            "exports": conn.execute(
                "SELECT * FROM exports WHERE seat_id = ? AND member_id = ? "
                "ORDER BY created_at DESC",
                (seat["id"], member["id"]),
            ).fetchall(),
            "inmails_left": inmail.inmails_left(conn, seat["id"], sandbox.clock.now_ms()),
            "inmail_quota": state.current(conn)["inmail_quota_per_seat"],
            "subject_max": inmail.SUBJECT_MAX,
            "body_max": inmail.BODY_MAX,
            "note_max": inmail.NOTE_MAX,
        }
    return render(request, "recruiter/profile.html", context, error.status if error else 200)


@screens.get("/members/{member_id}")
def profile(member_id: str, request: Request, sandbox: SandboxDep) -> Response:
    panel = request.query_params.get("panel", "")
    if panel and panel not in PANELS:
        raise bad_request(f"panel: expected one of {', '.join(PANELS)}, got {panel!r}")
    return profile_page(request, sandbox, member_id, panel=panel)


def typed_emails(form: Form) -> list[str]:
    emails = [address.strip() for address in form.all("email") if address.strip()]
    for address in emails:
        if not inmail.EMAIL.match(address):
            raise bad_request(f"email: {address!r} does not match the pattern X@X.X")
    return emails


@screens.post("/members/{member_id}/export")
def export_member(member_id: str, request: Request, form: FormDep, sandbox: SandboxDep) -> Response:
    seat = current_seat(sandbox, request)
    if seat is None:
        return redirect(SIGN_IN)
    number = inmail.number(member_id, "member_id")
    try:
        emails, job_id = typed_emails(form), form.get("job").strip() or None
        if job_id is not None:
            with sandbox.db.reading() as conn:
                visible, _ = seat_jobs(conn, seat)
            if job_id not in {job["externalJobPostingId"] for job in visible}:
                raise bad_request(f"job: {job_id!r} is not one of the jobs you may export to")
        exported = exporting.export(
            sandbox,
            seat_id=seat["id"],
            member_id=number,
            external_job_posting_id=job_id,
            email_addresses=emails,
        )
    except LinkedInError as exc:
        return profile_page(request, sandbox, member_id, panel="export", error=exc, form=form)
    return redirect(
        f"/recruiter/members/{number}", done="export", request_id=exported["request_id"]
    )


@screens.post("/members/{member_id}/inmail")
def send_inmail(member_id: str, request: Request, form: FormDep, sandbox: SandboxDep) -> Response:
    seat = current_seat(sandbox, request)
    if seat is None:
        return redirect(SIGN_IN)
    number = inmail.number(member_id, "member_id")
    try:
        inmail.send_inmail(
            sandbox,
            seat_id=seat["id"],
            member_id=number,
            subject=form.get("subject"),
            body=form.get("body"),
        )
    except LinkedInError as exc:
        return profile_page(request, sandbox, member_id, panel="inmail", error=exc, form=form)
    return redirect(f"/recruiter/members/{number}", done="inmail")


@screens.post("/members/{member_id}/notes")
def add_note(member_id: str, request: Request, form: FormDep, sandbox: SandboxDep) -> Response:
    seat = current_seat(sandbox, request)
    if seat is None:
        return redirect(SIGN_IN)
    number = inmail.number(member_id, "member_id")
    try:
        inmail.add_note(sandbox, seat_id=seat["id"], member_id=number, body=form.get("body"))
    except LinkedInError as exc:
        return profile_page(request, sandbox, member_id, panel="note", error=exc, form=form)
    return redirect(f"/recruiter/members/{number}", done="note")


# The member's inbox ------------------------------------------------------------------------


def inbox_page(
    request: Request,
    sandbox: Sandbox,
    member_id: str,
    conversation_id: str | None = None,
    *,
    error: LinkedInError | None = None,
    form: Form | None = None,
) -> Response:
    with sandbox.db.reading() as conn:
        member = inmail.member(conn, inmail.number(member_id, "member_id"))
        threads = threads_with(conn, member["id"])
        opened = None
        if conversation_id is not None:
            number = inmail.number(conversation_id, "conversation_id")
            opened = next((thread for thread in threads if thread["id"] == number), None)
            if opened is None:
                raise LinkedInError(404, f"No conversation {number} in this member's inbox")
        seat = seat_from_cookie(conn, request)
    return render(
        request,
        "recruiter/inbox.html",
        {
            "member": member,
            "seat": seat,
            "threads": threads,
            "opened": opened,
            "error": error,
            "form": form or Form([]),
            "notice": NOTICES.get(request.query_params.get("done", ""), ""),
        },
        error.status if error else 200,
    )


@screens.get("/inbox/{member_id}")
def inbox(member_id: str, request: Request, sandbox: SandboxDep) -> Response:
    return inbox_page(request, sandbox, member_id)


@screens.get("/inbox/{member_id}/{conversation_id}")
def conversation(
    member_id: str, conversation_id: str, request: Request, sandbox: SandboxDep
) -> Response:
    return inbox_page(request, sandbox, member_id, conversation_id)


def thread_path(member_id: str, conversation_id: str) -> tuple[int, int]:
    return (
        inmail.number(member_id, "member_id"),
        inmail.number(conversation_id, "conversation_id"),
    )


@screens.post("/inbox/{member_id}/{conversation_id}/reply")
def reply(
    member_id: str, conversation_id: str, request: Request, form: FormDep, sandbox: SandboxDep
) -> Response:
    member, thread = thread_path(member_id, conversation_id)
    try:
        inmail.reply(sandbox, member_id=member, conversation_id=thread, body=form.get("body"))
    except LinkedInError as exc:
        return inbox_page(request, sandbox, member_id, conversation_id, error=exc, form=form)
    return redirect(f"/recruiter/inbox/{member}/{thread}", done="reply")


@screens.post("/inbox/{member_id}/{conversation_id}/answer")
def answer(
    member_id: str, conversation_id: str, request: Request, form: FormDep, sandbox: SandboxDep
) -> Response:
    """The three buttons under a first InMail; only "Yes, please share" sends email and phone."""
    member, thread = thread_path(member_id, conversation_id)
    sharing = form.get("answer") == "yes_share"
    email, phone = form.get("email").strip(), form.get("phone").strip()
    try:
        answered = inmail.respond(
            sandbox,
            member_id=member,
            conversation_id=thread,
            answer=form.get("answer"),
            email=(email or None) if sharing else None,
            phone=(phone or None) if sharing else None,
        )
    except LinkedInError as exc:
        return inbox_page(request, sandbox, member_id, conversation_id, error=exc, form=form)
    return redirect(
        f"/recruiter/inbox/{member}/{thread}", done="shared" if answered["stub_id"] else "answered"
    )


# LinkedIn's public address of a member's Recruiter profile (what an ATS links to) ------------


@screens.get("/talent/profile/{person_id}")
def open_profile(person_id: str, request: Request, sandbox: SandboxDep) -> Response:
    """The member's page, after signing in when no one is (the seat cookie lives under
    /recruiter, so only here is it known whether someone is signed in)."""
    with sandbox.db.reading() as conn:
        member = inmail.member(conn, inmail.person_urn(person_id))
        signed_in = seat_from_cookie(conn, request) is not None
    target = f"/recruiter/members/{member['id']}"
    if signed_in:
        return redirect(target)
    response = redirect(SIGN_IN)
    response.set_cookie(
        NEXT_COOKIE, target, path="/recruiter", max_age=NEXT_SECONDS, httponly=True, samesite="lax"
    )
    return response


talent = APIRouter(route_class=HtmlErrors)


@talent.get("/talent/profile/{person_id}")
def talent_profile(person_id: str) -> Response:
    return redirect(f"/recruiter/talent/profile/{quote(person_id, safe='')}")


router = APIRouter()
router.include_router(screens)
router.include_router(talent)
