"""Payment providers: one interface, an offline test mode and Stripe."""
