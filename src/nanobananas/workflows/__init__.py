"""Workflows that span apps (account deletion, sign-up with a guest's work): above the apps, below the web layer.

Each one owns its transaction and the order of its steps, and walks the personal data registry
(`nanobananas.registry.personal_data`) for what each app does; the apps know nothing of each other here.
"""
