"""Three-valued answers built by name: proved (True), refuted (False) or undecided (None)."""

from dataclasses import dataclass


@dataclass(frozen=True, eq=False)
class Verdict:
    """An answer True / False / None with the reason behind it.

    Certificates subclass this record and add their evidence as keyword fields; they are
    built with :meth:`proved`, :meth:`refuted` or :meth:`undecided`, so that every answer
    carries its reason and is stored once.

    Attributes
    ----------
    answer : bool or None
        True: proved; False: refuted by a counter-witness; None: undecided.
    reason : str
        Why (for None: what is missing).
    """

    answer: bool | None
    reason: str

    @classmethod
    def proved(cls, reason: str, **evidence):
        """An answer True, with the proof's evidence."""
        return cls(answer=True, reason=reason, **evidence)

    @classmethod
    def refuted(cls, reason: str, **evidence):
        """An answer False, with the counter-witness."""
        return cls(answer=False, reason=reason, **evidence)

    @classmethod
    def undecided(cls, reason: str, **evidence):
        """An answer None, saying what is missing."""
        return cls(answer=None, reason=reason, **evidence)
