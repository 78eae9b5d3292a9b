"""The layout of the package holds: a core free of the web, no import cycles, small modules.

docs/architecture.md draws the layers; these tests fail when the code stops matching it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from .testing.rules import ROOT

PACKAGE = ROOT / "selfcheck"

#: What only the web layer may use.
WEB_LIBRARIES = {"flask", "flask_wtf", "werkzeug", "jinja2", "markupsafe", "wtforms", "click",
                 "gunicorn", "typst", "itsdangerous"}  # fmt: skip

#: The longest a module of the package may be.
MOST_LINES = 600


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
#: The package for each audience, and the layers each may use besides the core. The core uses
#: none of them; ``selfcheck`` itself (create_app) is where the web and the command line meet.
LAYERS = {
    "selfcheck.web": set(),  # the request path
    "selfcheck.cli": set(),  # the clinicians' commands
    "selfcheck.ops": {"selfcheck.web"},  # the servers around the app: supervisor, nginx, gunicorn
}


def layer(name: str) -> str | None:
    """The audience's package ``name`` belongs to; None for the core and for ``selfcheck``."""
    return next((top for top in LAYERS if name == top or name.startswith(top + ".")), None)


CORE = sorted(name for name in MODULES if layer(name) is None and name != "selfcheck")


def imports(name: str) -> list[tuple[str, str | None]]:
    """Every import in a module, at any depth (inside functions too): (module, name or None)."""
    tree = ast.parse(MODULES[name].read_text())
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found += [(base, alias.name) for alias in node.names]
    return found


def needs(name: str) -> set[str]:
    """The modules of the package that must be loaded before ``name`` can finish loading: each
    one it imports, and the packages above those that are not above ``name`` too (a package
    loads before its modules; one above ``name`` is loading already)."""
    found = set()
    for module, item in imports(name):
        submodule = f"{module}.{item}" if item else ""
        target = submodule if submodule in MODULES else module
        if target not in MODULES:
            continue
        found.add(target)
        parts = target.split(".")
        for depth in range(1, len(parts)):
            above = ".".join(parts[:depth])
            if above in MODULES and not name.startswith(above + "."):
                found.add(above)
    found.discard(name)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                other = stack.pop()
                group.append(other)
                if other == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("name", CORE)
def test_the_core_does_not_import_the_web(name):
    used = {module.split(".")[0] for module, _ in imports(name)}
    assert not used & WEB_LIBRARIES, f"{name} imports {sorted(used & WEB_LIBRARIES)}"


def crossings(graph: dict[str, set[str]]) -> list[str]:
    """Each use of a module by one that may not use it: the core uses no audience's package;
    an audience's package uses the core, itself and what LAYERS gives it."""
    found = []
    for name, used in graph.items():
        if name == "selfcheck":
            continue
        mine = layer(name)
        allowed = {mine, *LAYERS.get(mine, set())} if mine else set()
        found += [
            f"{name} uses {other}"
            for other in sorted(used)
            if other != "selfcheck" and layer(other) is not None and layer(other) not in allowed
        ]
    return found


def test_each_package_uses_only_the_layers_below_it():
    """The web and the command line use the core and never each other; the servers around the
    app (ops) use the web; the core uses none of them. Imports inside functions count."""
    assert crossings({name: needs(name) for name in MODULES}) == []


def test_a_use_against_the_direction_is_found():
    """The test above can fail: each wrong direction is named, the allowed ones are not."""
    graph = {
        "selfcheck.rules.model": {"selfcheck.web.views"},
        "selfcheck.web.views": {"selfcheck.cli.commands", "selfcheck.rules.model"},
        "selfcheck.cli.commands": {"selfcheck.ops.supervisor", "selfcheck.rules.model"},
        "selfcheck.ops.supervisor": {"selfcheck.web.views", "selfcheck.cli"},
        "selfcheck": {"selfcheck.web", "selfcheck.cli"},
    }
    assert crossings(graph) == [
        "selfcheck.rules.model uses selfcheck.web.views",
        "selfcheck.web.views uses selfcheck.cli.commands",
        "selfcheck.cli.commands uses selfcheck.ops.supervisor",
        "selfcheck.ops.supervisor uses selfcheck.cli",
    ]


def test_no_import_cycles_in_the_package():
    assert cycles({name: needs(name) for name in MODULES}) == []


def test_the_cycle_search_finds_a_cycle():
    """The test above can fail: a cycle through a package's own start-up is found."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_each_module_can_be_imported_first(name):
    """A module imported before any other loads whole: no import waits on a module that is
    itself still loading. The core stays free of the web libraries at run time too."""
    code = (
        f"import sys, {name}; "
        f"bad = {{m.split('.')[0] for m in sys.modules}} & {WEB_LIBRARIES!r}; "
        f"sys.exit(1 if {name!r} in {CORE!r} and bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr or f"{name} loads the web libraries"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_too_long_to_read(name):
    lines = MODULES[name].read_text().count("\n")
    assert lines <= MOST_LINES, f"{name} has {lines} lines"


def test_the_short_fingerprint_has_one_home():
    """How much of a fingerprint is shown is said once (rules/model.py, SHORT_FINGERPRINT):
    every page, summary and command takes it from there, not from a slice of its own."""
    sliced = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "fingerprint[:" in line and "SHORT_FINGERPRINT" not in line
    ]
    assert sliced == []


def test_change_topics_are_told_apart_by_their_kind_not_their_words():
    """A topic of `rules diff` is picked by its kind (changes.Kind), never by comparing its
    heading's words, which a reword or a translation would silently break."""
    by_words = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                compared, line = [node.left, *node.comparators], node.lineno
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("startswith", "endswith")
            ):
                compared, line = [node.func.value], node.lineno
            else:
                continue
            if any(isinstance(n, ast.Attribute) and n.attr == "title" for n in compared):
                by_words.append(f"{path.relative_to(ROOT)}:{line}")
    assert by_words == []


def lines_outside(home: Path, patterns: tuple[str, ...]) -> list[str]:
    """Each line of the package, outside ``home``, that holds one of ``patterns``."""
    return [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != home
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(pattern in line for pattern in patterns)
    ]


def test_the_most_urgent_level_has_one_home():
    """Which level is the most urgent is worked out in rules/model.py alone
    (``Urgency.is_most_urgent``, ``most_urgent``): nowhere else takes the first level of a list,
    rank 0, or the lowest rank of its own."""
    home = PACKAGE / "rules" / "model.py"
    patterns = ("rank == 0", "levels[0]", "key=lambda level: level.rank", "next(iter(by_id")
    assert lines_outside(home, patterns) == []


def test_the_cookies_secure_rule_has_one_home():
    """When a cookie is Secure, and when its name takes the ``__Host-`` prefix, is said once
    (web/security.py: ``cookie_is_secure``, ``cookie_name``): the session cookie and the
    answers cookie (web/kept.py) both take it from there, never from a rule of their own."""
    home = PACKAGE / "web" / "security.py"
    patterns = ('["SESSION_COOKIE_SECURE"]', 'f"__Host-', '"__Host-"')
    assert lines_outside(home, patterns) == []


def test_the_languages_are_listed_in_one_place():
    """The languages are the rows of web/language.py's LANGUAGES: no other module of the web
    layer or the servers around it names one by its code ("en", "es", "ar")."""
    home = PACKAGE / "web" / "language.py"
    codes = {"en", "es", "ar"}
    named = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for top in ("web", "ops")
        for path in sorted((PACKAGE / top).rglob("*.py"))
        if path != home
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in codes
    ]
    assert named == []
