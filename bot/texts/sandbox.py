"""The sandbox locale templates run in: no unsafe attribute, and no unbounded work either.

Jinja2's sandbox stops a template from reaching Python's internals but not from working for
ever: two nested `range(100000)` loops are ten billion steps, and `'a' * 2000000000` allocates
gigabytes before any output cap sees it. A message is a few sentences, so every render gets a
budget of loop steps, characters built and time; an operation that would overrun it is refused
before it runs (`TooMuchWorkError`, a Jinja2 SecurityError: callers see a template error).

A template may use `if`, `for` and expressions; the statements that let it store or repeat
values (`set`, macros, call and filter blocks, includes, recursive loops) and the filters and
methods that build large values from small arguments (`center`, `format`, `replace`, `.ljust`,
`lipsum`...) are not available.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2 import Template, TemplateSyntaxError, nodes, pass_context, pass_eval_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.filters import do_join
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, markup_join
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment

MAX_STEPS = 100_000  # loop iterations, range items and nested messages in one render
MAX_CHARS = 1_000_000  # characters built by *, +, %, ~ and join in one render
MAX_SECONDS = 1.0
MAX_INT_BITS = 4096  # numbers up to about 1,200 digits
MAX_DEPTH = 8  # a message may include another (`t('key')`), that one another, and so on

# Statements that store, repeat or pull in values; a message needs none of them.
_REFUSED_STATEMENTS: dict[type[nodes.Node], str] = {
    nodes.Assign: "set",
    nodes.AssignBlock: "set",
    nodes.Macro: "macro",
    nodes.CallBlock: "call",
    nodes.FilterBlock: "filter",
    nodes.With: "with",
    nodes.Block: "block",
    nodes.Extends: "extends",
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "from ... import",
    nodes.ScopedEvalContextModifier: "autoescape",
    nodes.EvalContextModifier: "autoescape",
}
# Filters that cannot turn a small value into a large one (join is checked separately).
_SAFE_FILTERS = frozenset(
    [
        "abs",
        "attr",
        "capitalize",
        "count",
        "d",
        "default",
        "dictsort",
        "e",
        "escape",
        "first",
        "float",
        "groupby",
        "int",
        "items",
        "join",
        "last",
        "length",
        "list",
        "lower",
        "map",
        "max",
        "min",
        "reject",
        "rejectattr",
        "reverse",
        "round",
        "select",
        "selectattr",
        "sort",
        "string",
        "striptags",
        "sum",
        "title",
        "trim",
        "truncate",
        "unique",
        "upper",
        "urlencode",
        "wordcount",
    ]
)
_REMOVED_GLOBALS = ("lipsum", "namespace", "cycler", "joiner")
# Methods a template may call on strings, lists and dicts: none of them can grow a value.
_SAFE_METHODS = frozenset(
    [
        "capitalize",
        "count",
        "endswith",
        "find",
        "get",
        "index",
        "isalnum",
        "isalpha",
        "isdigit",
        "islower",
        "isspace",
        "istitle",
        "isupper",
        "items",
        "keys",
        "lower",
        "lstrip",
        "rstrip",
        "split",
        "startswith",
        "strip",
        "title",
        "upper",
        "values",
    ]
)
_BUILTIN_VALUES = (str, bytes, list, tuple, dict, set, frozenset, int, float)
# A printf width or precision (`%999999999d`, `%*d`): padding is built before anything sees it.
_PRINTF_SIZE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


class TooMuchWorkError(SecurityError):
    """A template tried to do more work than one message may."""


@dataclass
class _Budget:
    deadline: float
    steps: int = MAX_STEPS
    chars: int = MAX_CHARS
    depth: int = 0


_current: ContextVar[_Budget | None] = ContextVar("template_budget", default=None)


@contextlib.contextmanager
def budget() -> Iterator[None]:
    """One message's budget; a message rendered inside another shares the outer one."""
    active = _current.get()
    if active is not None:
        if active.depth >= MAX_DEPTH:
            raise TooMuchWorkError(f"messages include each other more than {MAX_DEPTH} deep")
        active.depth += 1
        try:
            yield
        finally:
            active.depth -= 1
        return
    token = _current.set(_Budget(deadline=time.monotonic() + MAX_SECONDS))
    try:
        yield
    finally:
        _current.reset(token)


def charge(steps: int = 0, chars: int = 0) -> None:
    """Spend from the active budget, refusing the work that would overrun it. Outside a render
    (a template folded at compile time) a single operation is still capped."""
    if chars > MAX_CHARS:
        raise TooMuchWorkError(f"would build {chars} characters; one message may build {MAX_CHARS}")
    active = _current.get()
    if active is None:
        return
    active.steps -= steps
    active.chars -= chars
    if active.steps < 0:
        raise TooMuchWorkError(f"more than {MAX_STEPS} loop steps")
    if active.chars < 0:
        raise TooMuchWorkError(f"builds more than {MAX_CHARS} characters")
    if time.monotonic() > active.deadline:
        raise TooMuchWorkError(f"ran longer than {MAX_SECONDS:g} s")


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, str | bytes | list | tuple) else None


def _whole(value: Any) -> int | None:
    return int(value) if isinstance(value, int) else None


def _check_binop(operator: str, left: Any, right: Any) -> None:
    left_size, right_size = _size(left), _size(right)
    left_int, right_int = _whole(left), _whole(right)
    if operator == "*":
        if left_size is not None and right_int is not None:
            charge(chars=left_size * max(right_int, 0))
        elif right_size is not None and left_int is not None:
            charge(chars=right_size * max(left_int, 0))
        elif left_int is not None and right_int is not None:
            _check_bits(abs(left_int).bit_length() + abs(right_int).bit_length())
    elif operator == "**" and left_int is not None and right_int is not None and right_int > 0:
        _check_bits(max(abs(left_int).bit_length(), 1) * right_int)
    elif operator == "+" and left_size is not None and right_size is not None:
        charge(chars=left_size + right_size)
    elif operator == "%" and isinstance(left, str):
        for match in _PRINTF_SIZE.finditer(left):
            for size in match.groups():
                if size == "*" or (size and int(size) > MAX_CHARS):
                    raise TooMuchWorkError(
                        "a % format may not set a width from a value or above 1e6"
                    )
                if size:
                    charge(chars=int(size))
        charge(chars=len(left))


def _check_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise TooMuchWorkError(f"a number of about {bits} bits; at most {MAX_INT_BITS}")


@pass_context
def _steps(_context: Context, iterable: Iterable[Any]) -> Iterator[Any]:
    """What every `for` loop iterates: the loop's items, one budget step each."""
    for item in iterable:
        charge(steps=1)
        yield item


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise TooMuchWorkError(f"range of {len(numbers)} numbers; at most {MAX_RANGE}")
    charge(steps=len(numbers))
    return numbers


@pass_eval_context
def _join(eval_ctx: EvalContext, value: Iterable[Any], d: str = "", attribute: Any = None) -> str:
    items = list(value)
    charge(steps=len(items), chars=len(str(d)) * len(items))
    joined: str = do_join(eval_ctx, items, d, attribute)
    charge(chars=len(joined))
    return joined


class _Generator(CodeGenerator):
    """Compiles `a ~ b` to a join that is charged to the budget before it is built."""

    def visit_Concat(  # noqa: N802 - the name Jinja2's generator dispatches on
        self, node: nodes.Concat, frame: Frame
    ) -> None:
        self.write("environment.sized_join((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox with the budget above enforced."""

    code_generator_class = _Generator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = _range
        for name in _REMOVED_GLOBALS:
            self.globals.pop(name, None)
        for name in set(self.filters) - _SAFE_FILTERS:
            del self.filters[name]
        self.filters["join"] = _join
        self.filters["_steps"] = _steps

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def is_safe_callable(self, obj: Any) -> bool:
        method = getattr(obj, "__wrapped__", obj)  # str.format comes wrapped by the sandbox
        owner = getattr(method, "__self__", None)
        if isinstance(owner, _BUILTIN_VALUES) and getattr(method, "__name__", "") not in (
            _SAFE_METHODS
        ):
            return False
        return super().is_safe_callable(obj)

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        if not self.is_safe_callable(obj):
            name = getattr(obj, "__name__", type(obj).__name__)
            raise SecurityError(f"calling {name}() is not available in messages")
        return super().call(context, obj, *args, **kwargs)

    def sized_join(self, items: tuple[Any, ...]) -> str:
        charge(chars=sum(len(str(item)) for item in items))
        return markup_join(items)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for node in tree.find_all(tuple(_REFUSED_STATEMENTS)):
            word = _REFUSED_STATEMENTS[type(node)]
            raise TemplateSyntaxError(
                f"'{{% {word} %}}' is not available in messages", node.lineno, name, filename
            )
        for loop in tree.find_all(nodes.For):
            if loop.recursive:
                raise TemplateSyntaxError(
                    "recursive loops are not available in messages", loop.lineno, name, filename
                )
            loop.iter = nodes.Filter(
                loop.iter, "_steps", [], [], None, None, lineno=loop.iter.lineno
            )
        return tree


def render_within_budget(template: Template, context: dict[str, Any], cap: int) -> str:
    """The template's output, at most `cap` characters (plus an ellipsis when cut)."""
    with budget():
        total = 0
        chunks: list[str] = []
        for chunk in template.generate(**context):
            chunks.append(chunk)
            total += len(chunk)
            if total > cap:
                break
    text = "".join(chunks)
    return text if len(text) <= cap else text[: cap - 1] + "…"
