"""The profile plugin (`IN/HcmWidget`): on an ATS candidate's page, the LinkedIn member that
candidate is matched to, a way to link the right member or unlink, and the organization's
Recruiter activity with that member.

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect/profile-plugin

Link and unlink store `manualMatchedMember` on the synced atsCandidates record (what the ATS
then reads back) and tell the embedding page through `onlink` / `onunlink`.
"""

import sqlite3
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from sandbox import inmail, matching, profile_plugin
from sandbox.context import SandboxDep
from sandbox.routes.ui import FormDep
from sandbox.widgets import (
    Embed,
    WidgetRefused,
    WidgetRoute,
    callback,
    embed_of,
    render_widget,
    sign_in_redirect,
    signed_in_seat,
)

router = APIRouter(prefix="/rsc/widgets", route_class=WidgetRoute)

PATH = "/rsc/widgets/profile"
VIEWS = ("profile", "activities", "matches", "confirm-unlink")
NAME_MAX = 100
NOTICES = {"linked": "Profile linked.", "unlinked": "Profile unlinked."}


def flag(request: Request, name: str) -> bool:
    raw = request.query_params.get(name, "false").lower()
    if raw not in ("true", "false", ""):
        raise WidgetRefused(400, f"{name}: expected true or false, got {raw!r}")
    return raw == "true"


@dataclass(frozen=True)
class Plugin:
    """The tag's settings, carried on every link and form of the widget."""

    ats_candidate_id: str
    integration_context: str
    confirm_unlink: bool
    show_unlink_url: bool

    @classmethod
    def of(cls, request: Request, embed: Embed) -> "Plugin":
        ats_candidate_id = request.query_params.get("atsCandidateId", "")
        context = request.query_params.get("integrationContext", "")
        if not ats_candidate_id:
            raise WidgetRefused(400, "atsCandidateId: required (data-ats-candidate-id)")
        if context != embed.organization_urn:
            raise WidgetRefused(
                403,
                f"integrationContext: {context!r} is not the organization of this application "
                f"({embed.organization_urn})",
            )
        return cls(
            ats_candidate_id,
            context,
            flag(request, "confirmUnlink"),
            flag(request, "showUnlinkUrl"),
        )

    @property
    def key(self) -> Any:
        return profile_plugin.candidate_key(self.ats_candidate_id, self.integration_context)

    def params(self, **extra: str) -> dict[str, str]:
        return {
            "atsCandidateId": self.ats_candidate_id,
            "integrationContext": self.integration_context,
            "confirmUnlink": str(self.confirm_unlink).lower(),
            "showUnlinkUrl": str(self.show_unlink_url).lower(),
            **extra,
        }

    def payload(self, urn: str) -> dict[str, str]:
        return {
            "member": urn,
            "atsCandidateId": self.ats_candidate_id,
            "integrationContext": self.integration_context,
        }


def back(embed: Embed, plugin: Plugin, **extra: str) -> RedirectResponse:
    return RedirectResponse(f"{PATH}?{embed.query(**plugin.params(**extra))}", 303)


def done_callbacks(
    request: Request, plugin: Plugin, linked: profile_plugin.Matched | None
) -> list[dict[str, Any]]:
    """The callback of the action that redirected here (PRG), if it still holds."""
    done = request.query_params.get("done", "")
    if done == "linked" and linked and linked.manual:
        return [callback("onlink", plugin.payload(linked.urn))]
    unlinked = request.query_params.get("member", "")
    relinked = bool(linked and linked.manual and linked.urn == unlinked)
    if done == "unlinked" and unlinked.startswith(profile_plugin.PERSON_PREFIX) and not relinked:
        return [callback("onunlink", plugin.payload(unlinked))]
    return []


@router.get("/profile")
def profile(request: Request, sandbox: SandboxDep) -> Response:
    view = request.query_params.get("view", "profile")
    if view not in VIEWS:
        raise WidgetRefused(400, f"view: expected one of {', '.join(VIEWS)}, got {view!r}")
    q = request.query_params.get("q", "").strip()
    if len(q) > NAME_MAX:
        raise WidgetRefused(400, f"q: at most {NAME_MAX} characters")
    with sandbox.db.reading() as conn:
        embed = embed_of(conn, request)
        plugin = Plugin.of(request, embed)
        seat = signed_in_seat(conn, request, embed)
        if seat is None:
            return sign_in_redirect(request, embed)
        context: dict[str, Any] = {"seat": seat, "plugin": plugin, "view": view, "q": q}
        stored = profile_plugin.candidate(conn, embed.client_id, plugin.key)
        if stored is None:
            return render_widget(request, "widgets/profile.html", context, embed)
        linked = profile_plugin.matched(conn, stored)
        context.update(
            synced=stored,
            linked=linked,
            notice=NOTICES.get(request.query_params.get("done", ""), ""),
            callbacks=done_callbacks(request, plugin, linked),
            **view_data(conn, embed, view, stored, linked, q),
        )
    return render_widget(request, "widgets/profile.html", context, embed)


def view_data(
    conn: sqlite3.Connection,
    embed: Embed,
    view: str,
    stored: dict[str, Any],
    linked: profile_plugin.Matched | None,
    q: str,
) -> dict[str, Any]:
    if view == "matches":
        return {
            "matches": matching.closest(conn, stored, limit=10),
            "found": profile_plugin.search_members(conn, q) if q else [],
        }
    if view == "activities" and linked:
        organization, member_id = embed.organization_id, linked.member["id"]
        return {
            "threads": profile_plugin.inmail_threads(conn, organization, member_id),
            "notes": profile_plugin.prospect_notes(conn, organization, member_id),
        }
    return {}


@router.post("/profile/link")
def link(request: Request, form: FormDep, sandbox: SandboxDep) -> Response:
    with sandbox.db.transaction() as conn:
        embed = embed_of(conn, request)
        plugin = Plugin.of(request, embed)
        if signed_in_seat(conn, request, embed) is None:
            raise WidgetRefused(401, "Sign in to LinkedIn Recruiter to link a profile")
        stored = synced(conn, embed, plugin)
        member = inmail.member(conn, inmail.number(form.get("member_id"), "member_id"))
        urn = inmail.person_urn(member["person_id"])
        profile_plugin.set_link(
            conn, embed.client_id, plugin.key, stored, urn, sandbox.clock.now_ms()
        )
    return back(embed, plugin, done="linked")


@router.post("/profile/unlink")
def unlink(request: Request, form: FormDep, sandbox: SandboxDep) -> Response:
    with sandbox.db.transaction() as conn:
        embed = embed_of(conn, request)
        plugin = Plugin.of(request, embed)
        if signed_in_seat(conn, request, embed) is None:
            raise WidgetRefused(401, "Sign in to LinkedIn Recruiter to unlink a profile")
        stored = synced(conn, embed, plugin)
        urn = stored.get("manualMatchedMember")
        if not urn:
            raise WidgetRefused(409, "This candidate has no linked LinkedIn profile to unlink")
        if plugin.confirm_unlink and form.get("confirmed") != "yes":
            return back(embed, plugin, view="confirm-unlink")
        profile_plugin.set_link(
            conn, embed.client_id, plugin.key, stored, None, sandbox.clock.now_ms()
        )
    return back(embed, plugin, done="unlinked", member=urn)


def synced(conn: sqlite3.Connection, embed: Embed, plugin: Plugin) -> dict[str, Any]:
    stored = profile_plugin.candidate(conn, embed.client_id, plugin.key)
    if stored is None:
        raise WidgetRefused(
            404, f"Candidate {plugin.ats_candidate_id} has not been synced to LinkedIn yet"
        )
    return stored
