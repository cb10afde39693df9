"""Template helpers for the page frame of base.html: the footer's retention line for this visitor."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from nanobananas.accounts.forms import retention_label
from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import Plan
from nanobananas.accounts.selectors import plan_get, retention_hours_for

__all__ = ["retention_notice"]

register = template.Library()


@register.simple_tag(takes_context=True)
def retention_notice(context: dict[str, Any]) -> str:
    """What happens to this visitor's own work: their tier's deletion time, not a guest's by default."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        hours = retention_hours_for(owner=Owner(user_id=user.pk))
        return _("Your images are deleted %(time)s after they are made.") % {"time": retention_label(hours)}
    hours = plan_get(code=Plan.GUEST).default_retention_hours
    return _("As a guest, your images are deleted %(time)s after they are made.") % {"time": retention_label(hours)}
