"""Policy pages: the version in force with its date and earlier versions, one version, and the banner's form."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from nanobananas.accounts.identity import request_account
from nanobananas.core.exceptions import NotFound
from nanobananas.policies.banner import banner_dismiss, banner_mark_accepted
from nanobananas.policies.models import PolicyKind
from nanobananas.policies.selectors import version_get, version_list
from nanobananas.policies.services import policy_accept


def _page(request: HttpRequest, kind: str, version: str | None) -> HttpResponse:
    versions = list(version_list(kind=kind))
    if version is None:
        if not versions:
            raise Http404("No version of this policy has been published yet.")
        document = versions[0]
    else:
        try:
            document = version_get(kind=kind, version=version)
        except NotFound:
            raise Http404("No published version with this label.") from None
    context = {
        "document": document,
        "current": versions[0] if versions else None,
        "versions": versions,
        "kind_label": PolicyKind(kind).label,
    }
    return render(request, "policies/page.html", context)


def privacy(request: HttpRequest) -> HttpResponse:
    return _page(request, PolicyKind.PRIVACY, None)


def terms(request: HttpRequest) -> HttpResponse:
    return _page(request, PolicyKind.TERMS, None)


def version(request: HttpRequest, kind: str, version: str) -> HttpResponse:
    return _page(request, kind, version)


@require_POST
def notice(request: HttpRequest) -> HttpResponse:
    """The banner's buttons without JavaScript: Accept records the acceptance, close hides it for this session."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    if not request.user.is_authenticated:
        return HttpResponseRedirect(target)
    kind, label = request.POST.get("kind", ""), request.POST.get("version", "")
    try:
        if request.POST.get("action") == "accept":
            acceptance = policy_accept(user=request_account(request), kind=kind, version=label)
            banner_mark_accepted(request, acceptance.document)
        else:
            banner_dismiss(request, kind=kind, version=label)
    except NotFound:
        raise Http404("No published version with this label.") from None
    return HttpResponseRedirect(target)
