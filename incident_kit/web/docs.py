"""``GET /docs``: a plain HTML page listing every route, built from the OpenAPI document.

FastAPI's own docs pages (Swagger UI, ReDoc) load their JavaScript and CSS from a CDN (cdn.jsdelivr.net);
on a machine without internet access, where incident-kit often runs, they show a blank page. This page
needs nothing but the app: one table per route (method, path, what it does, the scope it needs, its
fields) and a link to the OpenAPI document for tools. Every string is escaped.
"""

from __future__ import annotations

import html

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter()

STYLE = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.4}"
         "code{background:#f3f3f3;padding:0 .2rem}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}"
         "td,th{border-bottom:1px solid #ddd;text-align:left;padding:.3rem;vertical-align:top}")


def _fields(operation: dict, spec: dict) -> str:
    names = [f"{p['name']} ({p['in']})" for p in operation.get("parameters", ()) if p.get("in") != "header"
             or p["name"].lower() == "idempotency-key"]
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref") or next(
        (s.get("$ref") for s in content.get("schema", {}).get("anyOf", ()) if "$ref" in s), None)
    if ref:
        schema = spec.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
        required = set(schema.get("required", ()))
        names += [f"{n}{' (required)' if n in required else ''}" for n in schema.get("properties", {})]
    return ", ".join(names)


def page(spec: dict, base: str) -> str:
    rows = []
    for path, operations in spec.get("paths", {}).items():
        for method, op in operations.items():
            scopes = [s for req in op.get("security", ()) for s in req.get("token", ())]
            rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in (
                f"<code>{html.escape(method.upper())}</code>", f"<code>{html.escape(base + path)}</code>",
                html.escape(op.get("summary", "")), html.escape(", ".join(scopes) or "none"),
                html.escape(_fields(op, spec)))) + "</tr>")
    title = html.escape(spec.get("info", {}).get("title", "API"))
    return (f"<!doctype html><html lang=en><meta charset=utf-8><title>{title}</title><style>{STYLE}</style>"
            f"<h1>{title}</h1><p>Send an API token as <code>Authorization: Bearer ik_...</code>. Every answer is "
            f"JSON; every error is <code>{{\"error\": \"one sentence\"}}</code>. The machine-readable description "
            f"is <a href=\"{html.escape(base)}/openapi.json\">openapi.json</a>.</p>"
            "<table><tr><th>Method</th><th>Path</th><th>What it does</th><th>Token scope</th><th>Fields</th></tr>"
            + "".join(rows) + "</table></html>")


@router.get("/docs", include_in_schema=False)
def docs(request: Request):
    return HTMLResponse(page(request.app.openapi(), request.scope.get("root_path", "")))
