"""Where the files that ship with the app are.

rules.yaml, scenarios.yaml, vignettes.yaml and templates/ live at the top of the repository,
where clinicians and designers find them. The wheel carries them inside the package (see
pyproject.toml), so an installed app looks there first and a checkout falls back to the top of
the repository. The translations of rules.yaml (rules.es.po, rules.ar.po) ship beside it, where
:func:`selfcheck.rules.translations.catalogs` looks for the catalogs of any rules file.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent

#: The files of vignettes beside a rules file: the team's own, and those written blind, by an
#: author who had not read the rules (docs/triage-accuracy.md).
VIGNETTES = ("vignettes.yaml", "vignettes-blind.yaml")


def shipped(name: str) -> Path:
    """The path of a file or folder that ships with the app, installed or in a checkout."""
    inside = PACKAGE / name
    return inside if inside.exists() else PACKAGE.parent / name


def default_rules() -> Path:
    return shipped("rules.yaml")


def default_scenarios() -> Path:
    """The clinicians' scenarios for the shipped rules (see ``rules test``)."""
    return shipped("scenarios.yaml")


def scenarios_for(rules_file: str | Path, name: str = "scenarios.yaml") -> Path:
    """The scenarios for a rules file: scenarios.yaml beside it, else the shipped ones. With
    ``name="vignettes.yaml"`` (or another of :data:`VIGNETTES`), the vignettes."""
    beside = Path(rules_file).with_name(name)
    return beside if beside.exists() else shipped(name)
