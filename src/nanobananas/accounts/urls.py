"""Account pages under /accounts/."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from nanobananas.accounts import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("verify/<str:uidb64>/<str:token>/", views.verify, name="verify"),
    path("verify/resend/", views.verification_resend, name="verify-resend"),
    path("email/", views.email_change, name="email-change"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/mail/password_reset.txt",
            subject_template_name="accounts/mail/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password-reset-sent"),
            extra_context={"section": "me"},
        ),
        name="password-reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="accounts/password_reset_sent.html", extra_context={"section": "me"}
        ),
        name="password-reset-sent",
    ),
    path(
        "password/reset/<str:uidb64>/<str:token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html", extra_context={"section": "me"}
        ),
        name="password-reset-complete",
    ),
    path("profile/", views.profile_edit, name="profile"),
    path("retention/", views.retention_choose, name="retention"),
    path("sessions/end-others/", views.sessions_end_others, name="sessions-end-others"),
]
