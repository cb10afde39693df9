"""The built-in offline provider: designed images drawn by the engine's renderer."""

from __future__ import annotations

from nanobananas.providers.base import GeneratedImage, ImageProvider, ProgressCallback

__all__ = ["BuiltinProvider"]


class BuiltinProvider(ImageProvider):
    name = "builtin"
    can_generate = True

    def generate(self, *, prompt: str, progress: ProgressCallback) -> GeneratedImage:
        from nanobananas.engine.render import render_design

        progress(20, "Reading your request")
        design = render_design(prompt)
        progress(80, "Drawing the design")
        return GeneratedImage(
            image=design.image,
            provider=self.name,
            model="nanobananas-render",
            details={"spec": _jsonable(design.spec)},
        )


def _jsonable(spec: object) -> object:
    dump = getattr(spec, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    return str(spec)
