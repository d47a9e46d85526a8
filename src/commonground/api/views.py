"""The browsable API reference: the OpenAPI document rendered as a plain page.

Written as a server-side page rather than a JavaScript explorer, so it works
without JavaScript, offline and with a screen reader.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from commonground import access, parts
from commonground.api.api import api

_METHODS = ("get", "post", "put", "patch", "delete")


def _schema_name(schema: dict[str, Any]) -> str:
    """A short, readable type for a JSON Schema fragment."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list of {_schema_name(schema.get('items', {}))}"
    if "anyOf" in schema:
        return " or ".join(_schema_name(s) for s in schema["anyOf"])
    kind = str(schema.get("type", "object"))
    return f"{kind} ({schema['format']})" if "format" in schema else kind


@access.allow(access.ANYONE)
def docs(request: HttpRequest) -> HttpResponse:
    document = api.get_openapi_schema(path_prefix=reverse("api:api-root"))
    operations = []
    for path, item in document["paths"].items():
        for method in _METHODS:
            if method not in item:
                continue
            op = item[method]
            responses = [
                {
                    "status": status,
                    "description": body.get("description", ""),
                    "type": _schema_name(
                        body.get("content", {}).get("application/json", {}).get("schema", {})
                    )
                    if body.get("content")
                    else "",
                }
                for status, body in op.get("responses", {}).items()
            ]
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "anchor": op.get("operationId", f"{method}-{path}"),
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "public": op.get("security") is None,
                    "parameters": op.get("parameters", []),
                    "responses": responses,
                    "tags": op.get("tags", []),
                }
            )
    schemas = [
        {
            "name": name,
            "fields": [
                {
                    "name": field,
                    "type": _schema_name(spec),
                    "required": field in schema.get("required", []),
                }
                for field, spec in schema.get("properties", {}).items()
            ],
        }
        for name, schema in document.get("components", {}).get("schemas", {}).items()
    ]
    context = {
        "info": document["info"],
        "operations": operations,
        "schemas": schemas,
        "openapi_url": reverse("api:openapi-json"),
        "token_pages": parts.api_auth_pages(),
    }
    return render(request, "api/docs.html", context)
