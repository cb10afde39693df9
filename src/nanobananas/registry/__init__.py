"""Registries the apps fill in at start-up and the workflows read; they import no app of the product."""
