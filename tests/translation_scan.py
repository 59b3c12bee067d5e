"""Finds user-visible text that is not marked for translation (tests/accounts/test_translation_marks.py).

Templates: what is left of a template once everything that is NOT shown as-is is taken out —
comments, ``<script>``/``<style>``, literal machine text in ``<code>``/``<kbd>``/``<samp>``/``<pre>``,
``{% block *_class %}`` (CSS class names), ``{% translate %}`` and ``{% blocktranslate %}`` (marked), every
other ``{% tag %}`` and ``{{ variable }}`` (their text comes from Python, scanned below or data),
HTML tags and character references — must hold no letters. Attribute values people read or hear
(aria-label, aria-description, aria-roledescription, title, placeholder, alt) are checked the
same way. E-mail ``.txt`` templates are checked like HTML text.

Python: the places a literal becomes user-visible text — ``messages.<level>(request, …)``,
``ValidationError(…)``, ``label=``/``help_text=``/``verbose_name=``/``verbose_name_plural=``/
``empty_label=``, Meta ``verbose_name``/``labels``/``help_texts``, ``choices=[(value, label)]`` and
``TextChoices`` labels, ``HttpResponse*(…)`` bodies, the API's ``Problem(status, detail, title=…)``
— must not be a plain string, f-string,
``"…" % x`` or ``"…".format()``. Anything else (a call to ``_()``/``gettext*``/``format_lazy``, a
name, an attribute) counts as marked or as data.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)

# --- templates ---------------------------------------------------------------------------------

_COMMENT_BLOCK = re.compile(r"{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}", re.S)
_COMMENT = re.compile(r"{#.*?#}", re.S)
_BLOCKTRANSLATE = re.compile(r"{%\s*blocktrans(?:late)?\b.*?%}.*?{%\s*endblocktrans(?:late)?\s*%}", re.S)
_VERBATIM = re.compile(r"{%\s*verbatim\s*%}.*?{%\s*endverbatim\s*%}", re.S)
_SCRIPT_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
# Literal machine text people type or copy as-is (CSV column names, a sample file): not translated.
_CODE = re.compile(r"<(code|kbd|samp|pre)\b[^>]*>.*?</\1\s*>", re.S | re.I)
# {% block layout_class %}layout-sidebar{% endblock %}: a CSS class name, never shown.
_CLASS_BLOCK = re.compile(r"{%\s*block\s+\w+_class\s*%}.*?{%\s*endblock\b[^%]*%}", re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"{%.*?%}", re.S)
_VAR = re.compile(r"{{.*?}}", re.S)
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|\w+);", re.I)
_HTML_TAG = re.compile(r"<[!/]?[a-zA-Z][^<>]*?>", re.S)
_DOCTYPE = re.compile(r"<!DOCTYPE[^>]*>", re.I)
# Attributes whose values people read or hear.
_READ_ATTRS = re.compile(
    r"""\b(aria-label|aria-description|aria-roledescription|title|placeholder|alt)\s*=\s*("[^"]*"|'[^']*')""",
    re.I,
)


def _mask_django(text: str) -> str:
    """Everything Django replaces or marks, taken out. Removed rather than replaced by a space, so an
    HTML tag assembled by template tags (``<{% if href %}a{% else %}button{% endif %} …>``) stays one
    tag for the HTML pass; words joined this way still have their letters, so nothing is hidden."""
    for pattern in (_COMMENT_BLOCK, _COMMENT, _CLASS_BLOCK, _BLOCKTRANSLATE, _VERBATIM, _TAG, _VAR):
        text = pattern.sub("", text)
    return text


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


def _line_of(source: str, words: str) -> int:
    """The first line holding the words (or, split by a tag, their first word): good enough to find it."""
    at = source.find(words)
    if at < 0:
        at = source.find(words.split(" ")[0])
    return source.count("\n", 0, at) + 1 if at >= 0 else 0


def scan_template(source: str, *, path: str, html: bool, allowed: frozenset[str]) -> list[Finding]:
    findings: list[Finding] = []
    text = _CODE.sub(" ", _SCRIPT_STYLE.sub(" ", source)) if html else source
    text = _HTML_COMMENT.sub(" ", text) if html else text
    # Attributes first (their values are inside the HTML tags that are stripped next); a value with
    # {% translate %} or {{ var }} in it is masked like any other text.
    if html:
        for match in _READ_ATTRS.finditer(_COMMENT_BLOCK.sub(" ", _COMMENT.sub(" ", text))):
            value = _ENTITY.sub(" ", _mask_django(match.group(2)[1:-1]))
            words = " ".join(value.split())
            if LETTERS.search(words) and words not in allowed:
                findings.append(Finding(path, _line_of(source, match.group(0)), f"{match.group(1)}={words}"))
    masked = _mask_django(text)
    if html:
        masked = _DOCTYPE.sub(" ", masked)
        masked = _HTML_TAG.sub("\n", masked)
    masked = _ENTITY.sub(" ", masked)
    for chunk in masked.split("\n"):
        words = " ".join(chunk.split())
        if words and LETTERS.search(words) and words not in allowed:
            findings.append(Finding(path, _line_of(source, words), words))
    return findings


# --- Python ------------------------------------------------------------------------------------

MESSAGE_LEVELS = {"debug", "info", "success", "warning", "error"}
TEXT_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label"}
META_TEXT = {"verbose_name", "verbose_name_plural"}
META_MAPS = {"labels", "help_texts"}
CHOICES_BASES = {"TextChoices", "IntegerChoices", "Choices"}


def _plain(node: ast.AST | None) -> str | None:
    """The text of an unmarked literal (plain string, f-string, "…" % x, "…".format()), else None."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values
                       if isinstance(v, ast.Constant) and isinstance(v.value, str))
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _plain(node.left)
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
          and node.func.attr == "format"):
        return _plain(node.func.value)
    else:
        return None
    return text if LETTERS.search(text) else None


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _choice_labels(node: ast.AST) -> list[ast.AST]:
    """The label of each (value, label) pair in a literal list/tuple of choices."""
    labels = []
    if isinstance(node, (ast.List, ast.Tuple)):
        for item in node.elts:
            if isinstance(item, ast.Tuple) and len(item.elts) == 2:
                labels.append(item.elts[1])
    return labels


class _Visitor(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.findings: list[Finding] = []

    def _check(self, node: ast.AST | None, why: str) -> None:
        text = _plain(node)
        if text is not None:
            self.findings.append(Finding(self.path, node.lineno, f"{why}: {text}"))

    def visit_Call(self, node: ast.Call) -> None:
        name = _call_name(node)
        func = node.func
        if (name in MESSAGE_LEVELS and isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name) and func.value.id == "messages" and len(node.args) >= 2):
            self._check(node.args[1], f"messages.{name}")
        elif name == "add_message" and len(node.args) >= 3:
            self._check(node.args[2], "messages.add_message")
        elif name == "ValidationError" and node.args:
            self._check(node.args[0], "ValidationError")
            if isinstance(node.args[0], ast.Dict):
                for value in node.args[0].values:
                    self._check(value, "ValidationError")
        elif name.startswith("HttpResponse") and node.args:
            self._check(node.args[0], name)
        elif name in ("Problem", "problem_response"):  # the API's RFC 9457 problem documents
            self._check(node.args[1] if len(node.args) > 1 else None, f"{name} detail")
            for keyword in node.keywords:
                if keyword.arg in ("detail", "title"):
                    self._check(keyword.value, f"{name} {keyword.arg}=")
        for keyword in node.keywords:
            if keyword.arg in TEXT_KEYWORDS:
                self._check(keyword.value, f"{keyword.arg}=")
            elif keyword.arg == "choices":
                for label in _choice_labels(keyword.value):
                    self._check(label, "choices=")
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = {b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in node.bases}
        for statement in node.body:
            if not isinstance(statement, ast.Assign):
                continue
            targets = {t.id for t in statement.targets if isinstance(t, ast.Name)}
            value = statement.value
            if bases & CHOICES_BASES and isinstance(value, ast.Tuple) and len(value.elts) >= 2:
                self._check(statement.value.elts[-1], f"{node.name} label")
            if node.name == "Meta":
                if targets & META_TEXT:
                    self._check(statement.value, "Meta." + next(iter(targets & META_TEXT)))
                if targets & META_MAPS and isinstance(statement.value, ast.Dict):
                    for value in statement.value.values:
                        self._check(value, "Meta." + next(iter(targets & META_MAPS)))
        self.generic_visit(node)


def scan_python(source: str, *, path: str) -> list[Finding]:
    visitor = _Visitor(path)
    visitor.visit(ast.parse(source, filename=path))
    return visitor.findings


def scan_tree(root: Path, *, template_dirs: list[str], apps: list[str], allowed_text: frozenset[str],
              allowed_python: frozenset[tuple[str, str]]) -> list[Finding]:
    """Every finding under ``root``; ``allowed_python`` holds (relative path, finding text) pairs."""
    findings: list[Finding] = []
    for folder in template_dirs:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in (".html", ".txt") or not path.is_file():
                continue
            rel = str(path.relative_to(root))
            findings += scan_template(path.read_text(encoding="utf-8"), path=rel, html=path.suffix == ".html",
                                      allowed=allowed_text)
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            rel = str(path.relative_to(root))
            findings += [f for f in scan_python(path.read_text(encoding="utf-8"), path=rel)
                         if (rel, f.text) not in allowed_python]
    return findings
