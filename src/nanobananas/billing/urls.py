"""Billing routes under /billing/."""

from django.urls import path

from nanobananas.billing import views

app_name = "billing"

urlpatterns = [
    path("upgrade/", views.upgrade, name="upgrade"),
    path("portal/", views.portal, name="portal"),
    path("test-mode/cancel/", views.test_mode_cancel, name="test-mode-cancel"),
    path("webhooks/stripe/", views.stripe_webhook, name="stripe-webhook"),
]
