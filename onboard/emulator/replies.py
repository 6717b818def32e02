"""Amazon's error bodies and the JSON responses the emulator sends."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic_core import to_json
from starlette.responses import Response

# The texts Amazon's gateway and model use; integrators match on some of them.
DENIED = "Access to requested resource is denied."
TOKEN_MISSING = "Access token is missing in the request header."
TOKEN_INVALID = "The access token you provided is revoked, malformed or invalid."
TOKEN_EXPIRED = "The access token you provided has expired."
INVALID_REQUEST = "Request is missing or has invalid parameters"
NOT_FOUND = "The requested resource is invalid or doesn't exist"
QUOTA = "You exceeded your quota for the requested resource."
INTERNAL = "We encountered an internal error. Please try again."
UNAVAILABLE = "Service temporarily unavailable or down for maintenance. Please try again after sometime."
UNSUPPORTED_MEDIA = "The request payload format is not supported."
TOO_LARGE = "The request payload size is greater than maximum accepted size."
#: what real traffic answers a request that parses but breaks a business rule (the reason goes in details)
INVALID_INPUT = "Invalid input."
ITEMS_HEAVIER = "The requested item weights are greater than the requested package weight."


class ApiError(Exception):
    """Raised inside a handler; becomes ``{"errors": [...]}`` with the status."""

    def __init__(self, status: int, code: str, message: str, details: str | None = None) -> None:
        super().__init__(f"{status} {code}: {details or message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def invalid(details: str) -> ApiError:
    return ApiError(400, "InvalidRequest", INVALID_REQUEST, details)


def invalid_input(details: str) -> ApiError:
    """A request that is well formed but that Amazon refuses on its content (``InvalidRequest`` stays for
    what is missing or does not parse, as the model documents)."""
    return ApiError(400, "InvalidInput", INVALID_INPUT, details)


def not_found(details: str) -> ApiError:
    return ApiError(404, "NotFound", NOT_FOUND, details)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = body.model_dump_json(exclude_none=True) if isinstance(body, BaseModel) else to_json(body)
    return Response(content, status_code=status, headers=headers, media_type="application/json")


def error_response(error: ApiError, headers: dict[str, str] | None = None) -> Response:
    entry: dict[str, str] = {"code": error.code, "message": error.message}
    if error.details is not None:
        entry["details"] = error.details
    return json_response({"errors": [entry]}, error.status, headers)
