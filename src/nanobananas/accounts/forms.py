"""Page forms: they check the shape of input; the services decide everything else."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

__all__ = ["EmailChangeForm", "LoginForm", "ProfileForm", "RetentionForm", "SignupForm", "retention_label"]

OLDEST_YEARS = 120


def _year_choices() -> list[tuple[str, str | Promise]]:
    this_year = timezone.now().year
    return [("", _("Year"))] + [(str(y), str(y)) for y in range(this_year, this_year - OLDEST_YEARS, -1)]


# Month names from Django's own catalogue (MONTHS), so they follow the active language.
MONTH_CHOICES = [("", _("Month")), *((str(m), name) for m, name in MONTHS.items())]


class SignupForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    username = forms.CharField(
        max_length=30,
        help_text=_("3 to 30 letters, digits, dots, dashes or underscores."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    display_name = forms.CharField(
        max_length=80,
        help_text=_("How your name appears in the app."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = forms.CharField(strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    birth_month = forms.TypedChoiceField(label=_("Birth month"), choices=MONTH_CHOICES, coerce=int)
    birth_year = forms.TypedChoiceField(label=_("Birth year"), choices=_year_choices, coerce=int)


class LoginForm(AuthenticationForm):
    """Django's login form; the field is still called `username` but takes an email as well."""

    username = forms.CharField(
        label=_("Email or username"), max_length=254, widget=forms.TextInput(attrs={"autofocus": True})
    )
    error_messages = {
        "invalid_login": _("That email or username and password do not match an account."),
        "inactive": _("This account is disabled."),
    }


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(label=_("New email"), max_length=254)
    password = forms.CharField(
        label=_("Current password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=80)
    username = forms.CharField(max_length=30)


class RetentionForm(forms.Form):
    hours = forms.TypedChoiceField(label=_("Keep my images for"), coerce=int, choices=[], widget=forms.RadioSelect)

    def __init__(self, *args: object, options: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["hours"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(str(h), retention_label(h)) for h in options]


def retention_label(hours: int) -> str:
    """ "48 hours", "7 days": whole days from three days up, hours below."""
    if hours % 24 == 0 and hours > 48:
        return ngettext("%(count)d day", "%(count)d days", hours // 24) % {"count": hours // 24}
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
