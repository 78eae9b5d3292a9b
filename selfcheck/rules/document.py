"""A YAML file read with the line and column of every value, and the problems found in it.

The first pass of every file the clinicians write (rules.yaml, scenarios.yaml): YAML syntax, with
the position of each value and key kept, so that every later problem can name FILE:LINE:COLUMN.
Plain Python, no web framework.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:  # the C parser is several times faster; fall back to the pure-Python one where it is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: Where a value is in a file: the keys and list positions that lead to it from the top,
#: for example ``("pages", 0, "questions", 2, "text")``.
KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong (an error) or worth a look (a warning) in a file."""

    file: str
    line: int
    column: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.file}:{self.line}:{self.column}: {prefix}{self.message}"


class RulesError(Exception):
    """A file that cannot be used. ``problems`` lists every error found (and any warnings)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.errors = [p for p in problems if p.severity == "error"]
        super().__init__("\n".join(str(p) for p in self.errors))


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def unknown(owner: str, what: str, name: str, known: Iterable[str], of: str = "") -> str:
    """'cause "stroke" refers to question "had_strok", which does not exist (did you mean …?)'.

    ``of`` follows the name: 'answer "yess" of question "jerking"'."""
    options = list(known)
    close = difflib.get_close_matches(name, options, n=1)
    if close:
        hint = f' (did you mean "{close[0]}"?)'
    else:
        hint = f" (known: {', '.join(options)})" if options and len(options) <= 8 else ""
    return f'{owner} refers to {what} "{name}"{of}, which does not exist{hint}'


@dataclass
class Document:
    """Plain values parsed from YAML, with the (line, column) of every value and key by path."""

    file: str
    data: Any
    where: dict[KeyPath, tuple[int, int]]
    key_where: dict[KeyPath, tuple[int, int]]

    def at(self, path: Iterable[str | int]) -> tuple[int, int]:
        """The position of the value at ``path``, or of its nearest parent that has one."""
        key = tuple(path)
        while key not in self.where and key:
            key = key[:-1]
        return self.where.get(key, (1, 1))

    def key_at(self, path: Iterable[str | int]) -> tuple[int, int]:
        """The position of the key that leads to ``path`` (or of its value, if none)."""
        key = tuple(path)
        return self.key_where.get(key) or self.at(key)

    def problem(
        self, path: KeyPath, message: str, severity: str = "error", key: bool = False
    ) -> Problem:
        """A problem at the value at ``path`` (at its key, if ``key``)."""
        line, column = self.key_at(path) if key else self.at(path)
        return Problem(self.file, line, column, message, severity)


_INT = re.compile(r"^[-+]?[0-9]+$")
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "bool", "null", "float", "timestamp")
)


def _scalar(node: yaml.ScalarNode) -> Any:
    """A YAML 1.2 core-schema scalar: "yes" and "no" stay words, as a clinician means them."""
    if node.style is not None and node.style != "":  # quoted or block text
        return node.value
    if node.tag not in _PLAIN_TAGS:
        return node.value
    text = node.value
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.match(text):
        return int(text)
    return text


class _Reader:
    """Turns YAML nodes into plain values, noting where each value and key stands."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.where: dict[KeyPath, tuple[int, int]] = {}
        self.key_where: dict[KeyPath, tuple[int, int]] = {}
        self.problems: list[Problem] = []

    def value(self, node: yaml.Node, path: KeyPath) -> Any:
        mark = node.start_mark
        self.where[path] = (mark.line + 1, mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, path + (i,)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return _scalar(node)

    def mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if not isinstance(key, str):
                message = f"a key must be a word, not {key_node.value!r}"
                self.problems.append(Problem(self.file, line, column, message))
                continue
            if key in result:
                first = self.key_where[path + (key,)][0]
                message = (
                    f'"{key}" is given twice in the same place (first on line {first}); keep one'
                )
                self.problems.append(Problem(self.file, line, column, message))
                continue
            self.key_where[path + (key,)] = (line, column)
            result[key] = self.value(value_node, path + (key,))
        return result


def parse(
    text: str,
    file: str,
    holds: str = "a rule set",
    keys: str = '"version:", "pages:" and "causes:"',
) -> Document:
    """The plain values of a YAML file with their positions.

    Raises :class:`RulesError` with the problems that stop the file from being read: bad
    syntax, an empty file, a key given twice. ``holds`` and ``keys`` say in the messages what
    the file should hold.
    """

    def stop(line: int, column: int, message: str) -> RulesError:
        return RulesError([Problem(file, line, column, message)])

    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "the file is not valid YAML"
        raise stop(
            line,
            column,
            f"this is not valid YAML: {what} (check the indentation, colons and quotes on this "
            "line and the one above)",
        ) from None
    except yaml.YAMLError as exc:
        raise stop(1, 1, f"this is not valid YAML: {exc}") from None
    if node is None:
        raise stop(1, 1, f"the file is empty; it must hold {holds}")
    reader = _Reader(file)
    data = reader.value(node, ())
    if not isinstance(data, dict):
        mark = node.start_mark
        raise stop(
            mark.line + 1,
            mark.column + 1,
            f"the file must be a set of keys such as {keys}, not a single value or a list",
        )
    if reader.problems:
        raise RulesError(reader.problems)
    return Document(file, data, reader.where, reader.key_where)


def read_text(path: str | Path, missing: str) -> str:
    """The text of a file. Raises :class:`RulesError` when it cannot be read as UTF-8 text;
    ``missing`` says what is wrong when there is no file at all."""
    file = str(path)
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesError([Problem(file, 1, 1, missing)]) from None
    except UnicodeDecodeError as exc:
        before = exc.object[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        message = (
            f"the file is not UTF-8 text: save it as UTF-8 (this byte cannot be read: {exc.reason})"
        )
        raise RulesError([Problem(file, line, column, message)]) from None
    except OSError as exc:
        message = f"the file cannot be read: {exc.strerror}"
        raise RulesError([Problem(file, 1, 1, message)]) from None
