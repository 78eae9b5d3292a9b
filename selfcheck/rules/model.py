"""The rule set as immutable records: what :func:`selfcheck.rules.load` builds from rules.yaml.

Plain Python, no web framework. Every record is frozen: once loaded, the rules never change while
the app runs, so every request, command and test reads the same rule set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from selfcheck.rules.conditions import Answers, Condition
from selfcheck.rules.document import Problem

#: The question id of the emergency check, the first page of every rule set.
RED_FLAGS = "red_flags"
#: The page id of the emergency check.
EMERGENCY_CHECK = "emergency_check"
#: The answer value of "None of these" on the emergency check.
NONE_OF_THESE = "none"
#: The answer value of "I'm not sure" on the emergency check, where the rules offer it.
NOT_SURE = "not_sure"


#: The code systems rules.yaml may name, by the short name clinicians write, to the system URI
#: FHIR uses for each.
SYSTEMS = {"snomed": "http://snomed.info/sct", "icd-10": "http://hl7.org/fhir/sid/icd-10"}
#: What each system is called where people read it.
SYSTEM_NAMES = {"http://snomed.info/sct": "SNOMED CT", "http://hl7.org/fhir/sid/icd-10": "ICD-10"}


@dataclass(frozen=True, slots=True)
class Code:
    """A clinical code for a question, answer or cause: ``system`` is the FHIR system URI,
    ``source`` the key of the rules' ``sources`` entry where the code was checked."""

    system: str
    code: str
    display: str
    source: str

    @property
    def system_name(self) -> str:
        """The system as people name it: "SNOMED CT" or "ICD-10"."""
        return SYSTEM_NAMES.get(self.system, self.system)

    def __str__(self) -> str:
        """The code as the review page and ``rules show`` list it: "SNOMED CT 36649002 Clonus"."""
        return f"{self.system_name} {self.code} {self.display}"


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer a person can choose. ``worry`` ranks it against the question's other answers."""

    value: str
    label: str
    worry: int
    hint: str | None = None
    codes: tuple[Code, ...] = ()


@dataclass(frozen=True, slots=True)
class Question:
    """One question. ``kind`` is "one" (choose one answer) or "many" (tick all that apply)."""

    id: str
    kind: str
    text: str
    hint: str | None
    answers: tuple[Answer, ...]
    summary: str
    error: str
    source: str | None
    none_of_these: str | None = None
    page_id: str = ""
    #: When the question is asked, tested on the answers of earlier pages; None: always.
    ask_when: Condition | None = None
    codes: tuple[Code, ...] = ()
    #: The values of the answers offered, worked out once: forms check every answer against it.
    values: frozenset[str] = field(init=False, repr=False, compare=False)
    #: The words of each answer on its own, by its value, worked out once for :meth:`labels`.
    words: Mapping[str, tuple[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", frozenset(a.value for a in self.answers))
        object.__setattr__(self, "words", {a.value: (a.label,) for a in self.answers})

    def label(self, value: str) -> str:
        """The words of the answer ``value``."""
        for answer in self.answers:
            if answer.value == value:
                return answer.label
        raise KeyError(value)

    def labels(self, values: Iterable[str]) -> tuple[str, ...]:
        """The words of the chosen answers, in the order they are offered."""
        chosen = values if isinstance(values, (set, frozenset)) else set(values)
        if len(chosen) == 1:  # most questions take one answer
            for value in chosen:
                return self.words.get(value, ())
        return tuple([a.label for a in self.answers if a.value in chosen])


@dataclass(frozen=True, slots=True)
class Page:
    """A page of questions. The first page of every rule set is the emergency check."""

    id: str
    title: str
    intro: str | None
    questions: tuple[Question, ...]


@dataclass(frozen=True, slots=True)
class Urgency:
    """How soon to get a medical evaluation. ``rank`` 0 is the most urgent: the order of the
    file, most urgent first (this class and :func:`most_urgent` are the one home of that)."""

    id: str
    name: str
    heading: str
    advice: tuple[str, ...]
    source: str | None
    rank: int

    @property
    def is_most_urgent(self) -> bool:
        """The level that red flags lead to: the emergency advice."""
        return self.rank == 0


def most_urgent(levels: Iterable[Urgency], default: Urgency | None = None) -> Urgency:
    """The most urgent of ``levels``; ``default`` when there are none."""
    found = min(levels, key=lambda level: level.rank, default=default)
    if found is None:
        raise ValueError("no level to choose from")
    return found


@dataclass(frozen=True, slots=True)
class RedFlag:
    """A life-threatening sign, asked first. Ticking it leads straight to ``leads_to``."""

    id: str
    label: str
    hint: str | None
    reason: str
    leads_to: Urgency
    source: str | None
    codes: tuple[Code, ...] = ()


@dataclass(frozen=True, slots=True)
class UrgencyRule:
    """Raises the urgency to ``level`` when ``when`` holds."""

    id: str
    level: Urgency
    when: Condition
    reason: str
    source: str | None


@dataclass(frozen=True, slots=True)
class Cause:
    """A condition known to be linked to clonus. ``when`` is None for "no other cause is listed"."""

    id: str
    name: str
    about: str
    when: Condition | None
    source: str | None
    codes: tuple[Code, ...] = ()


@dataclass(frozen=True, slots=True)
class Treatment:
    """A treatment a person could ask their clinician about. Information, never advice."""

    id: str
    name: str
    about: str
    ask: str
    source: str | None


@dataclass(frozen=True, slots=True)
class GoesAway:
    """The plain answer to "does clonus go away?": shown when ``when`` holds (always, if None),
    in the words of the first variant whose condition holds, else ``text``."""

    heading: str
    text: tuple[str, ...]
    source: str | None
    when: Condition | None = None
    variants: tuple[tuple[Condition, tuple[str, ...]], ...] = ()

    def text_for(self, answers: Answers) -> tuple[str, ...]:
        """The words for a person who gave ``answers``; none when the section is not shown."""
        if self.when is not None and not self.when.holds(answers):
            return ()
        for condition, text in self.variants:
            if condition.holds(answers):
                return text
        return self.text


@dataclass(frozen=True, slots=True)
class Filming:
    """Plain guidance on filming an episode on a phone to show a clinician, shown when
    ``when`` holds and the advice is not an emergency (where the one thing to do is to call)."""

    heading: str
    text: tuple[str, ...]
    when: Condition
    source: str | None

    def text_for(self, answers: Answers) -> tuple[str, ...]:
        """The words for a person who gave ``answers``; none when it is not shown."""
        return self.text if self.when.holds(answers) else ()


@dataclass(frozen=True, slots=True)
class Contradiction:
    """Answers on one page that cannot all be true. The page is refused, with ``message``
    shown at the question ``question``, until the person changes one of them."""

    id: str
    when: Condition
    question: str
    message: str
    source: str | None


#: How many hex digits of a fingerprint the pages, the summary and the commands show.
SHORT_FINGERPRINT = 12


@dataclass(frozen=True, slots=True)
class Approval:
    """A clinician's approval of the content whose fingerprint is ``fingerprint``."""

    fingerprint: str
    version: str
    by: str
    role: str
    #: The day they approved it, as YYYY-MM-DD.
    date: str
    #: What they approved knowingly, with their reason: failing scenarios or vignettes, or
    #: answers that get less urgent advice than in the approved copy ("" when nothing).
    accepted: str = ""

    @property
    def short_fingerprint(self) -> str:
        return self.fingerprint[:SHORT_FINGERPRINT]

    def __str__(self) -> str:
        """As the pages and the commands say it: "Dr A. Example (neurologist) on 2026-01-31"."""
        return f"{self.by} ({self.role}) on {self.date}"


@dataclass(frozen=True)
class Rules:
    """A whole, valid rule set. Build it with :func:`selfcheck.rules.load`."""

    path: str
    version: str
    sources: Mapping[str, str]
    levels: tuple[Urgency, ...]
    default_level: Urgency
    red_flags: tuple[RedFlag, ...]
    pages: tuple[Page, ...]
    urgency_rules: tuple[UrgencyRule, ...]
    causes: tuple[Cause, ...]
    treatments: tuple[Treatment, ...]
    goes_away: GoesAway
    #: Why the advice is the default level, said when no urgency rule applies.
    default_reason: str = ""
    contradictions: tuple[Contradiction, ...] = ()
    #: Guidance on filming an episode; None in a rules file without it.
    filming: Filming | None = None
    warnings: tuple[Problem, ...] = ()
    questions: Mapping[str, Question] = field(default_factory=dict)
    #: The SHA-256 of the content: everything but the approvals (see :mod:`.approval`).
    fingerprint: str = ""
    #: Every approval recorded in the file, oldest first.
    approvals: tuple[Approval, ...] = ()
    #: The file's text as it was loaded: what is worked out from the file later (its texts for
    #: the translations) comes from here, never from the file again, which may have changed.
    file_text: str = field(default="", compare=False, repr=False)

    @property
    def emergency(self) -> Urgency:
        """The most urgent level."""
        return most_urgent(self.levels)

    @property
    def last_approval(self) -> Approval | None:
        """The latest approval, of this content or of an earlier one."""
        return self.approvals[-1] if self.approvals else None

    @property
    def approval(self) -> Approval | None:
        """The approval of this very content, if the latest approval is of it."""
        last = self.last_approval
        return last if last is not None and last.fingerprint == self.fingerprint else None

    @property
    def approved(self) -> bool:
        """Approved only while the content is the content the latest approval names."""
        return self.approval is not None

    @property
    def changed_since_approval(self) -> bool:
        return self.last_approval is not None and not self.approved

    @property
    def status(self) -> str:
        return "approved" if self.approved else "draft"

    @property
    def short_fingerprint(self) -> str:
        """The start of the fingerprint, as the pages show it."""
        return self.fingerprint[:SHORT_FINGERPRINT]

    def __str__(self) -> str:
        """The rule set as the commands name it: "rules.yaml (version 0.1.0, draft)"."""
        return f"{self.path} (version {self.version}, {self.status})"

    @property
    def status_words(self) -> str:
        """The review status as every page, summary and command says it."""
        if self.approval is not None:
            return f"approved by {self.approval}"
        return "a draft, not yet approved by a clinician"

    @cached_property
    def asked_sometimes(self) -> tuple[Question, ...]:
        """The questions with an ``ask_when``, in the order they are asked."""
        return tuple(q for q in self.questions.values() if q.ask_when is not None)

    def red_flag(self, flag_id: str) -> RedFlag:
        return next(flag for flag in self.red_flags if flag.id == flag_id)

    def page(self, page_id: str) -> Page:
        return next(page for page in self.pages if page.id == page_id)
