"""The SCIM filter and PATCH path language (RFC 7644 §3.4.2.2 and §3.5.2), on plain JSON.

No Django here: a filter is parsed into a small tree and evaluated against a resource as the API
shows it, so a filter means exactly what the client sees. Bad input raises :class:`ScimSyntaxError`
with the ``scimType`` the error body must carry.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
OPERATORS = {"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"}
MAX_FILTER_LENGTH = 2000


class ScimSyntaxError(ValueError):
    def __init__(self, message: str, scim_type: str = "invalidFilter") -> None:
        super().__init__(message)
        self.scim_type = scim_type


@dataclass(frozen=True)
class AttrPath:
    """``[urn:]attr[.sub]``; ``urn`` is "" for the core schema."""

    urn: str
    attr: str
    sub: str = ""


@dataclass(frozen=True)
class Compare:
    path: AttrPath
    op: str
    value: Any


@dataclass(frozen=True)
class Present:
    path: AttrPath


@dataclass(frozen=True)
class Logical:
    op: str  # "and" | "or"
    left: Any
    right: Any


@dataclass(frozen=True)
class Not:
    inner: Any


@dataclass(frozen=True)
class ValuePath:
    path: AttrPath
    filter: Any


@dataclass(frozen=True)
class PatchPath:
    """``attr``, ``attr.sub``, ``attr[filter]`` or ``attr[filter].sub``."""

    path: AttrPath
    filter: Any = None
    sub: str = ""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<punct>[()\[\]])
      | (?P<word>[^\s()\[\]"]+)
    )""",
    re.VERBOSE,
)
_ATTR = re.compile(r"^[A-Za-z][\w$-]*$")


def _tokens(text: str) -> list[tuple[str, str]]:
    if len(text) > MAX_FILTER_LENGTH:
        raise ScimSyntaxError("The filter is too long.")
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ScimSyntaxError(f"Cannot read the filter at position {pos}.")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def parse_attr_path(text: str, *, scim_type: str = "invalidFilter") -> AttrPath:
    """``userName``, ``name.givenName``, ``urn:...:enterprise:2.0:User:manager.value``."""
    urn = ""
    rest = text
    if text.lower().startswith("urn:"):
        # The attribute is what follows the schema URN's last colon.
        head, _, rest = text.rpartition(":")
        urn = head
        if not rest:
            # A bare schema URN names the extension itself (PATCH path only).
            return AttrPath(urn=text, attr="")
    parts = rest.split(".")
    if len(parts) > 2 or not all(_ATTR.match(p) for p in parts):
        raise ScimSyntaxError(f"“{text}” is not an attribute path.", scim_type)
    if urn.lower() == CORE_USER.lower():
        urn = ""
    return AttrPath(urn=urn, attr=parts[0], sub=parts[1] if len(parts) == 2 else "")


def _literal(kind: str, raw: str) -> Any:
    if kind == "string":
        try:
            return json.loads(raw)
        except ValueError:
            raise ScimSyntaxError(f"Bad string {raw} in the filter.") from None
    low = raw.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "null":
        return None
    try:
        return int(raw) if re.fullmatch(r"-?\d+", raw) else float(raw)
    except ValueError:
        raise ScimSyntaxError(f"“{raw}” is not a value (strings need double quotes).") from None


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ScimSyntaxError("The filter ends too early.")
        self.i += 1
        return token

    def expect(self, punct: str) -> None:
        kind, raw = self.take()
        if kind != "punct" or raw != punct:
            raise ScimSyntaxError(f"Expected “{punct}” in the filter, found “{raw}”.")

    def is_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[1].lower() in words

    def parse_or(self, depth: int = 0) -> Any:
        if depth > 50:
            raise ScimSyntaxError("The filter is nested too deeply.")
        node = self.parse_and(depth)
        while self.is_word("or"):
            self.take()
            node = Logical("or", node, self.parse_and(depth))
        return node

    def parse_and(self, depth: int) -> Any:
        node = self.parse_unary(depth)
        while self.is_word("and"):
            self.take()
            node = Logical("and", node, self.parse_unary(depth))
        return node

    def parse_unary(self, depth: int) -> Any:
        token = self.peek()
        if token == ("punct", "("):
            self.take()
            node = self.parse_or(depth + 1)
            self.expect(")")
            return node
        if self.is_word("not"):
            self.take()
            self.expect("(")
            node = self.parse_or(depth + 1)
            self.expect(")")
            return Not(node)
        kind, raw = self.take()
        if kind != "word":
            raise ScimSyntaxError(f"Expected an attribute in the filter, found “{raw}”.")
        path = parse_attr_path(raw)
        if self.peek() == ("punct", "["):
            self.take()
            inner = self.parse_or(depth + 1)
            self.expect("]")
            return ValuePath(path, inner)
        op_kind, op = self.take()
        op = op.lower()
        if op_kind == "word" and op == "pr":
            return Present(path)
        if op_kind != "word" or op not in OPERATORS:
            raise ScimSyntaxError(f"“{op}” is not a filter operator.")
        value_kind, value_raw = self.take()
        if value_kind == "punct":
            raise ScimSyntaxError(f"Expected a value after “{op}”.")
        return Compare(path, op, _literal(value_kind, value_raw))


def parse_filter(text: str) -> Any:
    """A filter string as a tree; raises ScimSyntaxError (invalidFilter) on anything else."""
    if not isinstance(text, str) or not text.strip():
        raise ScimSyntaxError("The filter is empty.")
    parser = _Parser(_tokens(text))
    node = parser.parse_or()
    if parser.peek() is not None:
        raise ScimSyntaxError(f"Unexpected “{parser.peek()[1]}” in the filter.")
    return node


def parse_patch_path(text: Any) -> PatchPath:
    """A PATCH operation's ``path``; raises ScimSyntaxError (invalidPath)."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_FILTER_LENGTH:
        raise ScimSyntaxError("The operation's path is not a path.", "invalidPath")
    text = text.strip()
    if "[" not in text:
        path = parse_attr_path(text, scim_type="invalidPath")
        return PatchPath(path)
    head, _, rest = text.partition("[")
    inner, sep, tail = rest.rpartition("]")
    if not sep or not head:
        raise ScimSyntaxError(f"“{text}” is not a path.", "invalidPath")
    path = parse_attr_path(head, scim_type="invalidPath")
    if path.sub or not path.attr:
        raise ScimSyntaxError(f"“{text}” is not a path.", "invalidPath")
    sub = ""
    if tail:
        if not tail.startswith(".") or not _ATTR.match(tail[1:]):
            raise ScimSyntaxError(f"“{text}” is not a path.", "invalidPath")
        sub = tail[1:]
    try:
        flt = parse_filter(inner)
    except ScimSyntaxError as error:
        raise ScimSyntaxError(str(error), "invalidPath") from None
    return PatchPath(path, flt, sub)


# Evaluation -------------------------------------------------------------------------------


def get_ci(obj: Any, key: str) -> Any:
    """A dict's value by case-insensitive key (SCIM attribute names are case-insensitive)."""
    if not isinstance(obj, dict):
        return None
    low = key.lower()
    for k, v in obj.items():
        if k.lower() == low:
            return v
    return None


def container(resource: dict, urn: str) -> dict | None:
    return resource if not urn else get_ci(resource, urn)


def values_at(resource: dict, path: AttrPath) -> list[Any]:
    """Every value the path reaches (a multi-valued attribute gives each element's)."""
    base = container(resource, path.urn)
    value = get_ci(base, path.attr)
    items = value if isinstance(value, list) else [value]
    out: list[Any] = []
    for item in items:
        if path.sub:
            out.append(get_ci(item, path.sub))
        elif isinstance(item, dict) and "value" in item:
            # "emails eq x" compares the primary value of each element (RFC 7644 §3.4.2.2).
            out.append(item["value"])
        else:
            out.append(item)
    return [v for v in out if v is not None]


def _compare(actual: Any, op: str, expected: Any, case_exact: bool) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        if op == "eq":
            return actual is expected
        if op == "ne":
            return actual is not expected
        return False
    if isinstance(actual, str) and isinstance(expected, str):
        a, e = (actual, expected) if case_exact else (actual.casefold(), expected.casefold())
        if op in ("gt", "ge", "lt", "le"):
            a, e = _as_date(a) or a, _as_date(e) or e
        return {
            "eq": lambda: a == e, "ne": lambda: a != e, "co": lambda: e in a,
            "sw": lambda: a.startswith(e), "ew": lambda: a.endswith(e),
            "gt": lambda: a > e, "ge": lambda: a >= e, "lt": lambda: a < e, "le": lambda: a <= e,
        }[op]()
    if isinstance(actual, int | float) and isinstance(expected, int | float):
        return {
            "eq": actual == expected, "ne": actual != expected, "gt": actual > expected,
            "ge": actual >= expected, "lt": actual < expected, "le": actual <= expected,
        }.get(op, False)
    if expected is None:
        return op == "ne"
    return op == "ne"


def _as_date(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("z", "+00:00").replace("Z", "+00:00"))
    except ValueError:
        return None


CASE_EXACT = {"id", "externalid"}


def matches(node: Any, resource: dict) -> bool:
    """Does the resource (as shown by the API) satisfy the filter tree?"""
    if isinstance(node, Logical):
        if node.op == "and":
            return matches(node.left, resource) and matches(node.right, resource)
        return matches(node.left, resource) or matches(node.right, resource)
    if isinstance(node, Not):
        return not matches(node.inner, resource)
    if isinstance(node, Present):
        return any(v not in ("", [], {}) for v in values_at(resource, node.path))
    if isinstance(node, ValuePath):
        elements = get_ci(container(resource, node.path.urn), node.path.attr)
        elements = elements if isinstance(elements, list) else [elements] if elements else []
        return any(isinstance(el, dict) and matches(node.filter, el) for el in elements)
    if isinstance(node, Compare):
        actual = values_at(resource, node.path)
        exact = node.path.attr.lower() in CASE_EXACT and not node.path.sub
        if node.op == "ne":
            return all(_compare(a, "ne", node.value, exact) for a in actual)
        return any(_compare(a, node.op, node.value, exact) for a in actual)
    raise ScimSyntaxError("Unknown filter.")


def equality_lookups(node: Any) -> list[tuple[AttrPath, Any]]:
    """``attr eq "x"`` terms that every match must satisfy (an AND chain), to narrow a query first."""
    if isinstance(node, Compare) and node.op == "eq":
        return [(node.path, node.value)]
    if isinstance(node, Logical) and node.op == "and":
        return equality_lookups(node.left) + equality_lookups(node.right)
    return []
