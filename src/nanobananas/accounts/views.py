"""Account pages: sign-up with the age gate, sign-in, verification, email and password changes, sessions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from nanobananas.accounts import services
from nanobananas.accounts.age import retry_block_set, retry_blocked
from nanobananas.accounts.exceptions import LimitReached, SignupUnavailable
from nanobananas.accounts.forms import EmailChangeForm, LoginForm, ProfileForm, RetentionForm, SignupForm
from nanobananas.accounts.identity import (
    Owner,
    request_account,
    request_address_key,
    request_owner,
    request_rate_limit,
)
from nanobananas.accounts.selectors import plan_for
from nanobananas.accounts.sessions import session_mark_signed_in
from nanobananas.core.exceptions import DomainError
from nanobananas.workflows import signup as signup_workflow

__all__ = [
    "LoginView",
    "PasswordChangeView",
    "PasswordResetConfirmView",
    "email_change",
    "profile_edit",
    "retention_choose",
    "sessions_end_others",
    "signup",
    "verification_resend",
    "verify",
]

# Which form field a service error belongs next to; others show above the form.
ERROR_FIELDS = {
    "bad_email": "email",
    "email_taken": "email",
    "bad_username": "username",
    "username_taken": "username",
    "bad_display_name": "display_name",
    "weak_password": "password",
    "wrong_password": "password",
    "same_email": "new_email",
}


def _add_error(form: Form, exc: DomainError) -> None:
    field = ERROR_FIELDS.get(exc.code)
    if field == "email" and "new_email" in form.fields:
        field = "new_email"
    form.add_error(field if field in form.fields else None, exc.message)


def _link_base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _signup_closed(request: HttpRequest) -> HttpResponse:
    response = render(request, "accounts/signup_closed.html", {"section": "me"})
    retry_block_set(response)
    return response


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("me")
    if request.method != "POST" and retry_blocked(request):
        return render(request, "accounts/signup_closed.html", {"section": "me"})
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = signup_workflow.account_signup(
                email=data["email"],
                username=data["username"],
                display_name=data["display_name"],
                password=data["password"],
                birth_month=data["birth_month"],
                birth_year=data["birth_year"],
                link_base=_link_base(request),
                guest=request_owner(request),
                address_key=request_address_key(request),
                retry_blocked=retry_blocked(request),
            )
        except SignupUnavailable:
            return _signup_closed(request)
        except DomainError as exc:
            _add_error(form, exc)
            status = exc.status_code if isinstance(exc, LimitReached) else 200
            return render(request, "accounts/signup.html", {"form": form, "section": "me"}, status=status)
        login(request, user, backend="nanobananas.accounts.backends.EmailOrUsernameBackend")
        session_mark_signed_in(request)
        messages.success(request, f"Welcome! We sent a link to {data['email']} to confirm your address.")
        return redirect("me")
    return render(request, "accounts/signup.html", {"form": form, "section": "me"})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"section": "me"}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        session_mark_signed_in(self.request)
        return response


def verify(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    try:
        services.email_verify(uidb64=uidb64, token=token)
    except DomainError as exc:
        return render(request, "accounts/verify_failed.html", {"message": exc.message, "section": "me"}, status=400)
    messages.success(request, "Thanks, your email address is confirmed.")
    return redirect("me" if request.user.is_authenticated else "accounts:login")


@login_required
@require_POST
def verification_resend(request: HttpRequest) -> HttpResponse:
    services.email_verification_send(user=request_account(request), link_base=_link_base(request))
    messages.success(request, "We sent a new confirmation link.")
    return redirect("me")


@login_required
def email_change(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            request_rate_limit(request, scope="password")
            services.email_change_request(
                user=request_account(request),
                new_email=form.cleaned_data["new_email"],
                password=form.cleaned_data["password"],
                link_base=_link_base(request),
            )
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(
                request, f"We sent a link to {form.cleaned_data['new_email']}. Your address changes once you open it."
            )
            return redirect("me")
    return render(request, "accounts/email_change.html", {"form": form, "section": "me"})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; every other session of the account ends with it."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("me")
    extra_context = {"section": "me"}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.sessions_revoke_others(
            user_id=request_account(self.request).pk, keep_session_key=self.request.session.session_key
        )
        messages.success(self.request, "Your password is changed. Other devices were signed out.")
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset by mailed link; every session of the account ends with it."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")
    extra_context = {"section": "me"}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.sessions_revoke_others(user_id=form.user.pk, keep_session_key=None)
        return response


@login_required
@require_POST
def profile_edit(request: HttpRequest) -> HttpResponseBase:
    form = ProfileForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Fill in both the display name and the username.")
        return redirect("me")
    try:
        services.profile_update(user=request_account(request), **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your profile is saved.")
    return redirect("me")


@login_required
@require_POST
def retention_choose(request: HttpRequest) -> HttpResponseBase:
    plan = plan_for(owner=Owner(user_id=request_account(request).pk))
    form = RetentionForm(request.POST, options=list(plan.retention_hours_options))
    if not form.is_valid():
        messages.error(request, "Choose one of the offered retention times.")
        return redirect("me")
    try:
        hours = services.retention_set(user=request_account(request), hours=form.cleaned_data["hours"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Your images are now kept {hours} hours after they are made.")
    return redirect("me")


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponseBase:
    ended = services.sessions_revoke_others(
        user_id=request_account(request).pk, keep_session_key=request.session.session_key
    )
    messages.success(request, f"Signed out of {ended} other session{'' if ended == 1 else 's'}.")
    return redirect("me")
