"""Pages of the analytics app: the reset button of "What we learned about your preferences" on Me -> Privacy."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from nanobananas.accounts.identity import request_account
from nanobananas.analytics.personalization import preferences_reset

__all__ = ["learned_preferences_reset"]


@login_required
@require_POST
def learned_preferences_reset(request: HttpRequest) -> HttpResponseBase:
    preferences_reset(user_id=request_account(request).pk)
    messages.success(request, "Forgotten: from now on we learn only from the images you make next.")
    return redirect("/me/#preferences-heading")
