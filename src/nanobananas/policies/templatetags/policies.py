"""Template helpers for policies: the body as safe HTML, and the new-version banner of base.html."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from nanobananas.policies.rendering import policy_body_html

register = template.Library()


@register.filter(name="policy_body")
def policy_body(body: str) -> SafeString:
    return policy_body_html(body)


@register.inclusion_tag("policies/banner.html", takes_context=True)
def policy_banner(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    return {
        "documents": getattr(request, "policy_banner", []),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
