"""The contract of the index's method registries.

A stage's registry (`Registry`) maps method names to `Method`s. A method is a function
whose first `inputs` positional parameters are the data the engine hands it (values,
cells, the hierarchy ...) and whose other parameters are its *arguments* in the spec
(`stages.<stage>.<argument>`); it may not take `**kwargs`, so its signature declares
every argument it accepts. Properties:

- `pooled(args)`: the result for one year depends on every year of the actor (normalising
  to goalposts over all years, treating outliers `by: actor`, PCA weights);
- `earlier_years(args)`: the result for one year depends on earlier years of the unit
  (carrying values forward).

`Registry.unknown(args)` lists arguments no method of the stage takes; `Registry.call`
passes a method only the arguments it declares (a log may keep arguments of the stage's
other methods, such as `k` for knn while the method is median, so that the Monte Carlo
can switch method).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Property = bool | Callable[[dict[str, Any]], bool]


def _holds(prop: Property, args: dict[str, Any]) -> bool:
    return bool(prop(args)) if callable(prop) else bool(prop)


@dataclass(frozen=True)
class Method:
    name: str
    func: Callable[..., Any]
    params: tuple[str, ...]
    pooled: Property = False
    earlier_years: Property = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.func(*args, **kwargs)

    def accepted(self, args: dict[str, Any]) -> dict[str, Any]:
        """The arguments of `args` this method declares."""
        return {k: v for k, v in args.items() if k in self.params}

    def is_pooled(self, args: dict[str, Any]) -> bool:
        return _holds(self.pooled, args)

    def needs_earlier_years(self, args: dict[str, Any]) -> bool:
        return _holds(self.earlier_years, args)


def declared_params(func: Callable[..., Any], inputs: int, supplied: tuple[str, ...] = ()
                    ) -> tuple[str, ...]:
    """The spec arguments of a method: its parameters after the first `inputs`, without
    those the engine supplies. TypeError for `*args` or `**kwargs`."""
    params = list(inspect.signature(func).parameters.values())
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            star = "**" if p.kind == p.VAR_KEYWORD else "*"
            raise TypeError(f"{func.__qualname__}: a stage method declares its arguments "
                            f"(no {star}{p.name})")
    return tuple(p.name for p in params[inputs:] if p.name not in supplied)


class Registry(Mapping[str, Method]):
    """The methods of one stage. `stage_params`: arguments the stage itself reads
    (besides `method`), such as aggregate's `levels`."""

    def __init__(self, stage: str, inputs: int, supplied: tuple[str, ...] = (),
                 stage_params: tuple[str, ...] = ()):
        self.stage, self.inputs, self.supplied = stage, inputs, supplied
        self.stage_params = ("method", *stage_params)
        self._methods: dict[str, Method] = {}

    def add(self, name: str, func: Callable[..., Any], pooled: Property = False,
            earlier_years: Property = False) -> Registry:
        params = declared_params(func, self.inputs, self.supplied)
        self._methods[name] = Method(name, func, params, pooled, earlier_years)
        return self

    def __getitem__(self, name: str) -> Method:
        return self._methods[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._methods)

    def __len__(self) -> int:
        return len(self._methods)

    def known(self, methods: list[str] | None = None) -> list[str]:
        """Arguments of the given methods (default: every method), stage arguments first."""
        out = list(self.stage_params)
        for name in methods if methods is not None else list(self._methods):
            out += [p for p in self._methods[name].params if p not in out]
        return out

    def unknown(self, args: dict[str, Any], methods: list[str] | None = None) -> list[str]:
        """Keys of `args` that none of the given methods (default: any) declares."""
        known = set(self.known(methods))
        return [k for k in args if k not in known]

    def method(self, args: dict[str, Any]) -> Method:
        return self._methods[args["method"]]

    def call(self, args: dict[str, Any], *inputs: Any, **supplied: Any) -> Any:
        """Run the method `args["method"]` on the inputs with the arguments it declares."""
        m = self.method(args)
        return m.func(*inputs, **supplied, **m.accepted(args))
