"""LinkedIn's JS SDK as an ATS page loads it: the loader (in.js), the check that the page's
origin may use the api_key, and the extensions that each add one widget tag type.

https://learn.microsoft.com/linkedin/talent/recruiter-system-connect (widgets: profile plugin,
Unified Search, Recommended Matches, ATS integration configuration plugin)

LinkedIn does not document the loader's wire protocol; the sandbox's choices are in its README
("Widgets").
"""

import json
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from sandbox.context import SandboxDep
from sandbox.errors import error_body
from sandbox.widgets import WidgetRefused, verified_embed

router = APIRouter()

LOADER = Path(__file__).parent.parent / "static" / "in.js"
JAVASCRIPT = "application/javascript"


# extension URL name → (tag name, widget path, data attribute → query parameter, callbacks)
EXTENSIONS: dict[str, tuple[str, str, dict[str, str], list[str]]] = {
    "profile-widget": (
        "HcmWidget",
        "/rsc/widgets/profile",
        {
            "data-widget-type": "widgetType",
            "data-ats-candidate-id": "atsCandidateId",
            "data-integration-context": "integrationContext",
            "data-show-unlink-url": "showUnlinkUrl",
            "data-confirm-unlink": "confirmUnlink",
        },
        ["onlink", "onunlink"],
    ),
    "unified-search-widget": (
        "UnifiedSearchWidget",
        "/rsc/widgets/unified-search",
        {"data-integration-context": "integrationContext"},
        ["onsave", "oninmail"],
    ),
    "recommended-matches-widget": (
        "RecommendedMatchesWidget",
        "/rsc/widgets/recommended-matches",
        {"data-job-id": "jobId", "data-integration-context": "integrationContext"},
        ["onsave", "oninmail"],
    ),
    "onboarding-widget": (
        "ATSIntegrationWidget",
        "/rsc/widgets/ats-integration",
        {"data-supported-bundled-integration-types": "supportedTypes"},
        ["onintegrate"],
    ),
}


@router.get("/xdoor/scripts/in.js")
def loader() -> Response:
    return FileResponse(LOADER, media_type=JAVASCRIPT, headers={"Cache-Control": "no-cache"})


@router.get("/xdoor/sdk/config")
def sdk_config(request: Request, sandbox: SandboxDep) -> JSONResponse:
    """May the calling page's origin use this api_key? A CORS read without credentials; the
    refusal is readable too, so the loader can show it where the widgets would be."""
    origin = request.headers.get("origin", "")
    api_key = request.query_params.get("api_key", "")
    if not origin:
        return JSONResponse(
            error_body(400, "Origin header: required (load the SDK from a web page)"), 400
        )
    cors = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    if not api_key:
        return JSONResponse(
            error_body(400, "api_key: required on the in.js script tag"), 400, headers=cors
        )
    try:
        with sandbox.db.reading() as conn:
            embed = verified_embed(conn, api_key, origin)
    except WidgetRefused as refusal:
        return JSONResponse(
            error_body(refusal.status, refusal.message), refusal.status, headers=cors
        )
    return JSONResponse({"apiKey": embed.client_id, "origin": embed.origin}, headers=cors)


@router.get("/rsc/extensions/{name}")
def extension(name: str) -> Response:
    if name not in EXTENSIONS:
        known = ", ".join(EXTENSIONS)
        return JSONResponse(error_body(404, f"No extension {name!r}; known: {known}"), 404)
    tag, path, params, callbacks = EXTENSIONS[name]
    spec = {"path": path, "params": params, "callbacks": callbacks}
    script = f"IN.Extensions.register({json.dumps(tag)}, {json.dumps(spec)});\n"
    return Response(script, media_type=JAVASCRIPT)
