"""Catalogues of components: one package per kind, one module per component.

Every module of a catalogue's package whose name does not start with ``_`` is one
component (or, for claims, one paper's components) and registers itself with the
catalogue's decorator, carrying its parameters (a :class:`simbias.params.Params`
dataclass), its caption and any facts its kind needs::

    GENERATORS = Catalogue("dataset kind", "simbias.data.generators")

    @GENERATORS.register("slabs", params=SlabsParams, caption="LMS-k / MS-(5,7) slabs.")
    class SlabDataset: ...

``Catalogue.get(name)`` imports only ``package.name`` (a component's module is named
after it), so a job pays for the imports of the one component it runs.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from simbias.params import Params

T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    """One component: its name, what it is (the registered object), its parameters,
    caption and any further facts its catalogue asks for (``meta``)."""

    name: str
    obj: Any
    params: type[Params] | None = None
    caption: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


class Catalogue:
    """The components of one kind, found in one package (see the module docstring)."""

    #: Every catalogue, by package, for the index (simbias.index).
    all: ClassVar[dict[str, Catalogue]] = {}

    def __init__(self, kind: str, package: str, *, one_per_module: bool = True) -> None:
        self.kind = kind
        self.package = package
        #: Claims group several components in one module per paper.
        self.one_per_module = one_per_module
        self._entries: dict[str, Entry] = {}
        Catalogue.all[package] = self

    def register(
        self,
        name: str,
        *,
        params: type[Params] | None = None,
        caption: str = "",
        **meta: Any,
    ) -> Callable[[T], T]:
        def decorate(obj: T) -> T:
            if name in self._entries and self._entries[name].obj is not obj:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            module = getattr(obj, "__module__", "")
            if self.one_per_module and module.rsplit(".", 1)[-1] != name:
                raise ValueError(
                    f"{self.kind} {name!r} must live in {self.package}.{name}, not {module}"
                )
            self._entries[name] = Entry(name, obj, params, " ".join(caption.split()), meta)
            return obj

        return decorate

    def modules(self) -> list[str]:
        package = importlib.import_module(self.package)
        return sorted(
            info.name
            for info in pkgutil.iter_modules(package.__path__)
            if not info.name.startswith("_")
        )

    def load_all(self) -> Catalogue:
        for module in self.modules():
            importlib.import_module(f"{self.package}.{module}")
        return self

    def names(self) -> list[str]:
        return sorted(self.load_all()._entries) if not self.one_per_module else self.modules()

    def get(self, name: str) -> Entry:
        if name not in self._entries:
            if self.one_per_module and name in self.modules():
                importlib.import_module(f"{self.package}.{name}")
            else:
                self.load_all()
        if name not in self._entries:
            known = ", ".join(self.names())
            raise ValueError(f"unknown {self.kind} {name!r}; known: {known}")
        return self._entries[name]

    def entries(self) -> list[Entry]:
        self.load_all()
        return [self._entries[name] for name in sorted(self._entries)]
