"""Checking the audit log's hash chain: the first record whose link to the one before is broken."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from modelspec import jsonio
from modelspec.state.audit import CHAIN_FIELD, line_digest

__all__ = ["ChainReport", "verify_chain"]


@dataclass(frozen=True)
class ChainReport:
    """What verify_chain found: the record count, where the chain starts, the first break."""

    records: int
    unchained: int  # records before the first chained one (written by the first release)
    broken_at: int | None = None  # 1-based record number of the first break
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None

    def summary(self) -> str:
        if not self.intact:
            return f"record {self.broken_at}: {self.problem}"
        text = f"{self.records} records, chain intact"
        if self.unchained:
            text += f" (unchained before record {self.unchained + 1}: written before the chain)"
        return text


def verify_chain(lines: Sequence[bytes]) -> ChainReport:
    """Check that each record names the digest of the one before it as stored.

    Records without the chain field at the start of the log are the first
    release's and are reported as unchained, not as a break; one after the
    chain has started is a break.
    """
    digests: dict[str, int] = {}  # digest of a stored record -> its number
    previous: bytes | None = None
    unchained, chained = 0, False
    for number, line in enumerate(lines, start=1):
        try:
            record = jsonio.loads(line)
        except jsonio.JsonRefused as exc:
            return _broken(lines, number, unchained, f"it is not a readable record ({exc})")
        if not isinstance(record, dict):
            return _broken(lines, number, unchained, "it is not a JSON object")
        if CHAIN_FIELD not in record:
            if chained:
                return _broken(
                    lines, number, unchained,
                    f"it has no {CHAIN_FIELD} though the records before it are chained: it was "
                    "written or rewritten by something other than modelspec",
                )
            unchained += 1
        else:
            chained = True
            expected = line_digest(previous) if previous is not None else None
            named = record[CHAIN_FIELD]
            if named != expected:
                return _broken(lines, number, unchained, _mismatch(number, named, digests))
        digest = line_digest(line)
        digests.setdefault(digest, number)
        previous = line
    return ChainReport(len(lines), unchained)


def _mismatch(number: int, named: object, digests: dict[str, int]) -> str:
    if number == 1:
        return (
            f"it is the first record but its {CHAIN_FIELD} names a record before it: "
            "the records before it were removed"
        )
    if named is None:
        return (
            f"its {CHAIN_FIELD} is null, as only the first record's is: the records before "
            "it were inserted, or it was rewritten"
        )
    earlier = digests.get(named) if isinstance(named, str) else None
    if earlier is not None:
        gap = (
            f"record {earlier + 1} was"
            if earlier + 1 == number - 1
            else f"records {earlier + 1} to {number - 1} were"
        )
        return f"it was written after record {earlier}: {gap} inserted since"
    return (
        f"its {CHAIN_FIELD} does not match record {number - 1} as stored: record "
        f"{number - 1} was changed, or records between them were removed"
    )


def _broken(lines: Sequence[bytes], number: int, unchained: int, problem: str) -> ChainReport:
    return ChainReport(len(lines), unchained, number, problem)
