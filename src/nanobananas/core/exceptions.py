"""Domain exceptions that services raise and the API turns into `{"error": {"code", "message"}}`.

DomainError                 base; carries a stable machine `code` and a human `message`
+-- InvalidInput (400)      the request is malformed or breaks a limit; nothing changed
+-- NotFound (404)          unknown id, or an object that belongs to someone else
+-- Conflict (409)          the object is in a state that does not allow the action
"""

from __future__ import annotations

__all__ = ["Conflict", "DomainError", "InvalidInput", "NotFound"]


class DomainError(Exception):
    status_code = 400
    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidInput(DomainError):
    status_code = 400
    code = "invalid_input"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
