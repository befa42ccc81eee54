"""A tiny expression language with two back ends: exact decimals and Excel formulas.

Rules build their arithmetic once as an :class:`Expr`; the engine evaluates it with
``Decimal`` and the template compiles the very same tree to a native formula, so Python,
UDFs and spreadsheet cells cannot disagree about the logic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from evalbook.numbers import round_down, round_half_up, round_up

Value = Decimal | str | bool


class CannotCompute(Exception):
    """Raised during evaluation when a rule cannot produce a score from its inputs."""

    def __init__(self, status: str, message: str, keys: tuple[str, ...] = ()) -> None:
        super().__init__(status, message, keys)
        self.status = status
        self.message = message
        self.keys = keys


class Env(Protocol):
    """What evaluation needs: numbers and texts by reference key."""

    def number(self, key: str) -> Decimal: ...

    def text(self, key: str) -> str: ...


class Refs(Protocol):
    """What formula compilation needs: the Excel expression that addresses a key."""

    def __call__(self, key: str) -> str: ...


Compiled = Callable[["Env"], Value]


class Expr:
    def evaluate(self, env: Env) -> Value:
        return self.compile()(env)

    def compile(self) -> Compiled:
        """A closure computing the same as :meth:`evaluate`, built once (the hot path)."""
        raise NotImplementedError

    def excel(self, refs: Refs) -> str:
        raise NotImplementedError

    def keys(self) -> set[str]:
        """Every reference key this expression reads."""
        return set()


def _num(value: Value) -> Decimal:
    if value.__class__ is Decimal:
        return value  # type: ignore[return-value,unused-ignore]
    raise TypeError(f"expected a number, got {value!r}")


def _lit(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class Const(Expr):
    value: Decimal | str

    def compile(self) -> Compiled:
        value = self.value
        return lambda env: value

    def excel(self, refs: Refs) -> str:
        if isinstance(self.value, str):
            return '"' + self.value.replace('"', '""') + '"'
        text = _lit(self.value)
        return f"({text})" if text.startswith("-") else text


@dataclass(frozen=True)
class Ref(Expr):
    """A number read from a named cell (or a table's 汇总 column)."""

    key: str

    def compile(self) -> Compiled:
        key = self.key
        return lambda env: env.number(key)

    def excel(self, refs: Refs) -> str:
        return refs(self.key)

    def keys(self) -> set[str]:
        return {self.key}


@dataclass(frozen=True)
class TextRef(Expr):
    key: str

    def compile(self) -> Compiled:
        key = self.key
        return lambda env: env.text(key)

    def excel(self, refs: Refs) -> str:
        return refs(self.key)

    def keys(self) -> set[str]:
        return {self.key}


_ARITH: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}
_COMPARE: dict[str, Callable[[Value, Value], bool]] = {
    "<": lambda a, b: _num(a) < _num(b),
    "<=": lambda a, b: _num(a) <= _num(b),
    ">": lambda a, b: _num(a) > _num(b),
    ">=": lambda a, b: _num(a) >= _num(b),
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
}


@dataclass(frozen=True)
class Arith(Expr):
    op: str
    left: Expr
    right: Expr

    def compile(self) -> Compiled:
        op, left, right = _ARITH[self.op], self.left.compile(), self.right.compile()
        return lambda env: op(_num(left(env)), _num(right(env)))

    def excel(self, refs: Refs) -> str:
        return f"({self.left.excel(refs)}{self.op}{self.right.excel(refs)})"

    def keys(self) -> set[str]:
        return self.left.keys() | self.right.keys()


@dataclass(frozen=True)
class Compare(Expr):
    op: str
    left: Expr
    right: Expr

    def compile(self) -> Compiled:
        op, left, right = _COMPARE[self.op], self.left.compile(), self.right.compile()
        return lambda env: op(left(env), right(env))

    def excel(self, refs: Refs) -> str:
        return f"({self.left.excel(refs)}{self.op}{self.right.excel(refs)})"

    def keys(self) -> set[str]:
        return self.left.keys() | self.right.keys()


@dataclass(frozen=True)
class If(Expr):
    cond: Expr
    then: Expr
    other: Expr

    def compile(self) -> Compiled:
        cond, then, other = self.cond.compile(), self.then.compile(), self.other.compile()
        return lambda env: then(env) if cond(env) else other(env)

    def excel(self, refs: Refs) -> str:
        return f"IF({self.cond.excel(refs)},{self.then.excel(refs)},{self.other.excel(refs)})"

    def keys(self) -> set[str]:
        return self.cond.keys() | self.then.keys() | self.other.keys()


@dataclass(frozen=True)
class And(Expr):
    parts: tuple[Expr, ...]

    def compile(self) -> Compiled:
        parts = tuple(p.compile() for p in self.parts)
        return lambda env: all(p(env) for p in parts)

    def excel(self, refs: Refs) -> str:
        return f"AND({','.join(p.excel(refs) for p in self.parts)})"

    def keys(self) -> set[str]:
        return set().union(*(p.keys() for p in self.parts))


_FUNCS: dict[str, Callable[..., Decimal]] = {
    "MIN": lambda *a: min(a),
    "MAX": lambda *a: max(a),
    "ABS": lambda a: abs(a),
    "ROUND": lambda a, n: round_half_up(a, int(n)),
    "ROUNDUP": lambda a, n: round_up(a, int(n)),
    "ROUNDDOWN": lambda a, n: round_down(a, int(n)),
}


@dataclass(frozen=True)
class Func(Expr):
    """One of Excel's numeric functions, with the same semantics in both back ends."""

    name: str
    args: tuple[Expr, ...]

    def compile(self) -> Compiled:
        func, args = _FUNCS[self.name], tuple(a.compile() for a in self.args)
        places = self.args[1] if len(self.args) == 2 else None
        if self.name == "ROUND" and isinstance(places, Const) and isinstance(places.value, Decimal):
            exp, a0 = Decimal(1).scaleb(-int(places.value)), args[0]
            return lambda env: _num(a0(env)).quantize(exp, rounding=ROUND_HALF_UP)
        if len(args) == 2:
            a0, a1 = args
            return lambda env: func(_num(a0(env)), _num(a1(env)))
        return lambda env: func(*(_num(a(env)) for a in args))

    def excel(self, refs: Refs) -> str:
        return f"{self.name}({','.join(a.excel(refs) for a in self.args)})"

    def keys(self) -> set[str]:
        return set().union(*(a.keys() for a in self.args))


@dataclass(frozen=True)
class Unavailable(Expr):
    """No score can be computed: evaluation raises, a formula shows the Chinese message."""

    status: str
    message: str

    def compile(self) -> Compiled:
        def fail(env: Env) -> Value:
            raise CannotCompute(self.status, self.message)

        return fail

    def excel(self, refs: Refs) -> str:
        return Const(self.message).excel(refs)


@dataclass(frozen=True)
class RequireNumbers(Expr):
    """Guard: all keys must hold numbers, otherwise the cell shows ``message``.

    Python reads each key (raising a precise missing/invalid status); Excel counts numeric
    cells with COUNT, which is false for blanks and for text typed into number cells.
    """

    required: tuple[str, ...]
    body: Expr
    message: str = "待填写"

    def compile(self) -> Compiled:
        required, body = self.required, self.body.compile()

        def guarded(env: Env) -> Value:
            for key in required:
                env.number(key)
            return body(env)

        return guarded

    def excel(self, refs: Refs) -> str:
        cells = ",".join(refs(k) for k in self.required)
        n = len(self.required)
        return f'IF(COUNT({cells})<{n},"{self.message}",{self.body.excel(refs)})'

    def keys(self) -> set[str]:
        return set(self.required) | self.body.keys()


@dataclass(frozen=True)
class RequireChoices(Expr):
    """Guard: every text key must hold one of ``choices`` (是/否 checklists)."""

    required: tuple[str, ...]
    choices: tuple[str, ...]
    body: Expr
    message: str = "待填写"

    def compile(self) -> Compiled:
        required, choices, body = self.required, self.choices, self.body.compile()

        def guarded(env: Env) -> Value:
            for key in required:
                value = env.text(key)
                if value not in choices:
                    raise CannotCompute(
                        "invalid-input", f"应填写{'/'.join(choices)}，实际为“{value}”", (key,)
                    )
            return body(env)

        return guarded

    def excel(self, refs: Refs) -> str:
        tests = "*".join(
            "OR(" + ",".join(f'{refs(k)}="{c}"' for c in self.choices) + ")" for k in self.required
        )
        return f'IF({tests}=0,"{self.message}",{self.body.excel(refs)})'

    def keys(self) -> set[str]:
        return set(self.required) | self.body.keys()


def evaluate_number(expr: Expr, env: Env) -> Decimal:
    return _num(expr.evaluate(env))


# Small constructors keep rule code readable.
def num(value: int | str | Decimal) -> Const:
    return Const(Decimal(value))


def add(a: Expr, b: Expr) -> Arith:
    return Arith("+", a, b)


def sub(a: Expr, b: Expr) -> Arith:
    return Arith("-", a, b)


def mul(a: Expr, b: Expr) -> Arith:
    return Arith("*", a, b)


def div(a: Expr, b: Expr) -> Arith:
    return Arith("/", a, b)


def rnd(a: Expr, places: int = 2) -> Func:
    return Func("ROUND", (a, num(places)))


def clamp(a: Expr, low: Expr, high: Expr) -> Func:
    return Func("MAX", (low, Func("MIN", (high, a))))


class MappingEnv:
    """An :class:`Env` over plain mappings (used by UDFs and tests)."""

    def __init__(self, numbers: Mapping[str, Decimal], texts: Mapping[str, str] | None = None):
        self._numbers = numbers
        self._texts = texts or {}

    def number(self, key: str) -> Decimal:
        try:
            return self._numbers[key]
        except KeyError:
            raise CannotCompute("missing-input", f"缺少数据 {key}", (key,)) from None

    def text(self, key: str) -> str:
        try:
            return self._texts[key]
        except KeyError:
            raise CannotCompute("missing-input", f"缺少数据 {key}", (key,)) from None
