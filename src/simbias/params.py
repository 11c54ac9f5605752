"""Parameters of components as frozen dataclasses, with bounds written once.

    @dataclass(frozen=True, kw_only=True)
    class SlabsParams(Params):
        n_train: int = param(description="Training examples.", minimum=2)

The config schema of a parameter dataclass is derived from its fields
(:func:`params_schema`), and the same schema checks values at run time
(:meth:`Params.from_dict`): a bound, a default and a description are written once.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeVar

P = TypeVar("P", bound="Params")

#: JSON-schema keywords a parameter may carry, in Python spelling.
_BOUNDS = {
    "minimum": "minimum",
    "maximum": "maximum",
    "exclusive_minimum": "exclusiveMinimum",
    "exclusive_maximum": "exclusiveMaximum",
    "min_items": "minItems",
    "max_items": "maxItems",
    "min_length": "minLength",
}


def param(default: Any = dataclasses.MISSING, *, description: str, **bounds: Any) -> Any:
    """A parameter field: its default (none: required), what it is, and its bounds
    (``minimum``, ``exclusive_minimum``, ``maximum``, ``exclusive_maximum``, ``min_items``,
    ``max_items``, ``min_length``; for lists, ``items`` bounds the elements)."""
    unknown = set(bounds) - set(_BOUNDS) - {"items"}
    if unknown:
        raise TypeError(f"param() got unknown bounds {sorted(unknown)}")
    metadata = {"description": description, "bounds": bounds}
    if isinstance(default, list | dict):
        value = default
        return field(default_factory=lambda: type(value)(value), metadata=metadata)
    return field(default=default, metadata=metadata)


def _type_schema(hint: Any) -> dict[str, Any]:
    """The JSON schema of a type annotation."""
    origin = typing.get_origin(hint)
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer"}
    if hint is float:
        return {"type": "number"}
    if hint is str:
        return {"type": "string"}
    if origin is Literal:
        return {"enum": list(typing.get_args(hint))}
    if origin in (list, tuple):
        args = [a for a in typing.get_args(hint) if a is not Ellipsis]
        return {"type": "array", **({"items": _type_schema(args[0])} if args else {})}
    if origin in (typing.Union, types.UnionType):
        options = [_type_schema(a) for a in typing.get_args(hint) if a is not type(None)]
        return options[0] if len(options) == 1 else {"oneOf": options}
    if hint is dict or origin is dict:
        return {"type": "object"}
    raise TypeError(f"no schema for parameter type {hint!r}")


def _with_bounds(schema: dict[str, Any], bounds: dict[str, Any]) -> dict[str, Any]:
    """Bounds apply to the numeric or array branch of a union (e.g. int | "full")."""
    bounds = dict(bounds)
    items = bounds.pop("items", None)
    keywords = {_BOUNDS[k]: v for k, v in bounds.items()}
    if "oneOf" in schema:
        return {
            "oneOf": [
                _with_bounds(option, {**bounds, **({"items": items} if items else {})})
                if option.get("type") in ("integer", "number", "array")
                else option
                for option in schema["oneOf"]
            ]
        }
    schema = {**schema, **keywords}
    if items:
        schema["items"] = {**schema.get("items", {}), **{_BOUNDS[k]: v for k, v in items.items()}}
    return schema


@dataclass(frozen=True, kw_only=True)
class Params:
    """Base of every parameter dataclass: checked from a config mapping, described by a
    JSON schema derived from its fields. Subclasses may add cross-field checks in
    ``__post_init__`` (raise ValueError with the field's name)."""

    #: False: the schema states each default in its description instead of as a
    #: ``default`` keyword, so that a config validator filling defaults leaves the
    #: section holding only the keys a config names (training settings: overrides merge).
    schema_defaults: ClassVar[bool] = True

    @classmethod
    def schema(cls) -> dict[str, Any]:
        return params_schema(cls)

    @classmethod
    def from_dict(cls: type[P], values: dict[str, Any] | None, where: str = "") -> P:
        """``cls(**values)`` after checking keys, types and bounds against the schema;
        errors name ``where`` (the config section) and the offending key."""
        import jsonschema

        values = dict(values or {})
        where = where or cls.__name__
        error = jsonschema.exceptions.best_match(
            jsonschema.Draft202012Validator(cls.schema()).iter_errors(values)
        )
        if error is not None:
            key = "/".join(str(p) for p in error.absolute_path)
            raise ValueError(f"{where}{'/' + key if key else ''}: {error.message}")
        try:
            return cls(**values)
        except ValueError as problem:
            raise ValueError(f"{where}: {problem}") from None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def params_schema(cls: type, defaults: bool | None = None) -> dict[str, Any]:
    """The JSON schema of a parameter dataclass: one property per field (type, bounds,
    description, default), unknown keys refused, fields without a default required.
    ``defaults=False`` (default: the class's ``schema_defaults``) writes each default into
    the field's description, "(default X)", instead of a ``default`` keyword."""
    if defaults is None:
        defaults = getattr(cls, "schema_defaults", True)
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    required = []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        meta = f.metadata or {}
        schema = _with_bounds(_type_schema(hints[f.name]), meta.get("bounds", {}))
        if "description" in meta:
            schema["description"] = meta["description"]
        if f.default is not dataclasses.MISSING:
            if f.default is not None:
                schema["default"] = list(f.default) if isinstance(f.default, tuple) else f.default
        elif f.default_factory is not dataclasses.MISSING:
            schema["default"] = f.default_factory()
        else:
            required.append(f.name)
        if not defaults and "default" in schema:
            default = json.dumps(schema.pop("default")).strip('"')
            text = schema.get("description", "").rstrip(".")
            schema["description"] = f"{text} (default {default}).".lstrip()
        properties[f.name] = schema
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False}
    if cls.__doc__ and cls.__doc__ is not Params.__doc__:
        schema["description"] = " ".join(cls.__doc__.split())
    if required:
        schema["required"] = required
    schema["properties"] = properties
    return schema
