"""The API's own document is valid OpenAPI as strict tools read it, and unknown API paths answer in JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    duplicated = sorted({key for key in keys if keys.count(key) > 1})
    if duplicated:
        raise ValueError(f"duplicated mapping key: {duplicated}")
    return dict(pairs)


def test_the_openapi_document_has_no_duplicate_keys_and_validates() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    # json.loads keeps the last of two equal keys without a word; Swagger UI's YAML parser refuses them.
    document = json.loads(response.content, object_pairs_hook=_no_duplicate_keys)
    validate(document)
    for path in (
        "/api/v1/conversations/{conversation_id}/download",
        "/api/v1/jobs/{job_id}/events",
        "/api/v1/assets/{asset_id}/content",
        "/api/v1/exports/download/{token}",
    ):
        responses = document["paths"][path]["get"]["responses"]
        assert list(responses).count("200") == 1
        assert responses["200"]["content"], path


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/v1/conversations/not-a-uuid/nope", "/api/v1/"])
def test_an_unknown_api_path_answers_the_json_error_shape(method: str, path: str) -> None:
    response = getattr(Client(), method)(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {
        "error": {"code": "not_found", "message": "There is no API endpoint at this address. See /api/v1/docs."}
    }
