"""Image provider aliases: settings.AI_PROVIDERS = {alias: {BACKEND, OPTIONS}}."""

from __future__ import annotations

from nanobananas.core.backends import BackendHandler
from nanobananas.providers.base import ImageProvider

__all__ = ["image_provider"]

image_provider: BackendHandler[ImageProvider] = BackendHandler(
    setting="AI_PROVIDERS", kind="image provider", base=ImageProvider, default_key="IMAGE_PROVIDER"
)
