"""What drf-spectacular cannot see, added to the OpenAPI document by a postprocessing hook: the
RFC 9457 problem answered by every operation on bad input (400), an unknown id (404) or a busy or
unreachable database (503), and the plain Django views under /api/ (need summaries, households)."""

from __future__ import annotations

from typing import Any

PROBLEM = "application/problem+json"
PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "parameter": {"type": "string", "nullable": True},
    },
}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


ERRORS = {
    "400": _problem("Parámetro o cuerpo inválido; «parameter» lo nombra."),
    "503": _problem("Base de datos ocupada o no disponible; reintente tras Retry-After."),
}
NOT_FOUND = {"404": _problem("No existe o no es visible para usted.")}
DATA_CHANGED = _problem("Los datos cambiaron después de la primera página (el «cursor» es de antes).")
FORBIDDEN = {"403": _problem("Sin permiso (rol o ámbito).")}
JSON_OBJECT = {"application/json": {"schema": {"type": "object"}}}
YEAR = {"type": "integer", "minimum": 2000, "maximum": 2100}
POLYGON_BODY = {
    "description": "GeoJSON Polygon o MultiPolygon (o un Feature con uno) en CRS84, dentro de Guanajuato.",
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["type", "coordinates"],
                "properties": {
                    "type": {"type": "string", "enum": ["Polygon", "MultiPolygon"]},
                    "coordinates": {"type": "array", "items": {"type": "array"}},
                },
            }
        }
    },
}


def _query(name: str, schema: dict, description: str = "", required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


def plain_views() -> dict[str, Any]:
    """The /api/ endpoints served by plain Django views (priority_zones, works_map.views)."""
    need_ok = {
        "200": {"description": "Cifras de necesidad con control de divulgación.", "content": JSON_OBJECT}
    }
    return {
        "/api/summaries/need": {
            "get": {
                "operationId": "summaries_need_retrieve",
                "summary": "Necesidad de los hogares en una zona publicada o un polígono (?geom=)",
                "parameters": [
                    _query("zone", {"type": "integer", "minimum": 1}, "Id de una zona publicada"),
                    _query("geom", {"type": "string"}, "Polígono GeoJSON (si no hay «zone»)"),
                ],
                "responses": {**need_ok, **ERRORS, **NOT_FOUND},
            },
            "post": {
                "operationId": "summaries_need_create",
                "summary": "Necesidad de los hogares en un polígono dibujado",
                "requestBody": POLYGON_BODY,
                "responses": {**need_ok, **ERRORS},
            },
        },
        "/api/summaries/need-investment": {
            "get": {
                "operationId": "summaries_need_investment_retrieve",
                "summary": "Necesidad contra inversión por zona en un ejercicio",
                "parameters": [
                    _query("year", YEAR, "Ejercicio fiscal", required=True),
                    _query("format", {"type": "string", "enum": ["json", "csv"]}, "csv para descargar"),
                ],
                "responses": {
                    "200": {
                        "description": "Tabla por zona",
                        "content": {**JSON_OBJECT, "text/csv": {"schema": {"type": "string"}}},
                    },
                    **ERRORS,
                },
            }
        },
        "/api/households/": {
            "get": {
                "operationId": "households_list",
                "summary": "Hogares del ámbito del usuario (requiere rol y propósito; queda registrado)",
                "parameters": [
                    _query("municipio", {"type": "string"}, "CVEGEO del municipio"),
                    _query("proposito", {"type": "string"}, "Propósito de la consulta (obligatorio)"),
                ],
                "responses": {
                    "200": {"description": "Hasta 100 hogares", "content": JSON_OBJECT},
                    **ERRORS,
                    **FORBIDDEN,
                },
            }
        },
        "/api/households/{id}/": {
            "get": {
                "operationId": "households_retrieve",
                "summary": "Un hogar con sus personas (requiere rol y propósito; queda registrado)",
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1},
                    },
                    _query("proposito", {"type": "string"}, "Propósito de la consulta (obligatorio)"),
                ],
                "responses": {
                    "200": {"description": "El hogar", "content": JSON_OBJECT},
                    **ERRORS,
                    **FORBIDDEN,
                    **NOT_FOUND,
                },
            }
        },
    }


def document_errors_and_plain_views(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (settings.SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    result["paths"].update(plain_views())
    for path, operations in result["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status, response in ERRORS.items():
                responses.setdefault(status, response)
            if "{" in path:
                responses.setdefault("404", NOT_FOUND["404"])
            if path == "/api/summaries/investment/crosstab":
                responses.setdefault("409", DATA_CHANGED)
    return result
