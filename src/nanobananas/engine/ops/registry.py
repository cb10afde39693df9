"""The op registry: every operation's name, version, parameter model and function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PIL import Image
from pydantic import BaseModel, ConfigDict, ValidationError

from nanobananas.engine.errors import PlanError

__all__ = [
    "NoParams",
    "OpParams",
    "Operation",
    "all_operations",
    "get_operation",
    "register",
    "validate_params",
]


class OpParams(BaseModel):
    """Base of every op's parameter model: unknown keys are an error, values are validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoParams(OpParams):
    """Parameters of an op that takes none."""


P = TypeVar("P", bound=OpParams)


@dataclass(frozen=True)
class Operation(Generic[P]):
    """A registered op: `apply` takes a PIL image and validated params and returns a new image.

    `regional` ops keep the picture's size and change pixels where they are, so they can apply to a region."""

    name: str
    version: int
    params_model: type[P]
    function: Callable[[Image.Image, P], Image.Image]
    summary: str
    regional: bool = False

    def apply(self, image: Image.Image, params: P) -> Image.Image:
        return self.function(image, params)


_REGISTRY: dict[str, Operation[Any]] = {}


def register(
    name: str, *, version: int, params: type[P], summary: str, regional: bool = False
) -> Callable[[Callable[[Image.Image, P], Image.Image]], Callable[[Image.Image, P], Image.Image]]:
    """Register the decorated function as the op `name`; names are unique."""

    def decorate(
        function: Callable[[Image.Image, P], Image.Image],
    ) -> Callable[[Image.Image, P], Image.Image]:
        if name in _REGISTRY:
            raise RuntimeError(f"op {name!r} is registered twice")
        _REGISTRY[name] = Operation(
            name=name,
            version=version,
            params_model=params,
            function=function,
            summary=summary,
            regional=regional,
        )
        return function

    return decorate


def get_operation(name: str) -> Operation[Any]:
    """Return the op called `name`, or raise PlanError naming it."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise PlanError(f"unknown operation {name!r}") from None


def all_operations() -> dict[str, Operation[Any]]:
    """Every registered op by name, sorted."""
    return dict(sorted(_REGISTRY.items()))


def validate_params(name: str, params: dict[str, Any]) -> OpParams:
    """Validate raw params for op `name`; PlanError carries a readable summary of what is wrong."""
    operation = get_operation(name)
    try:
        return operation.params_model.model_validate(params)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'params'}: {item['msg']}" for item in error.errors()
        )
        raise PlanError(f"invalid parameters for {name!r}: {problems}") from None
