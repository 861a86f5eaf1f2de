"""Today's date for waiver expiry and approvals, pinnable with MODELSPEC_TODAY.

Whether a waiver still holds depends on the date, so a CI run, a test or an
audit replay can pin it (`MODELSPEC_TODAY=2026-11-27`) and get the verdict of
that day. Unset, it is today in UTC.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

__all__ = ["ENV_VAR", "pinned_today_problem", "today", "utc_now"]

ENV_VAR = "MODELSPEC_TODAY"


def utc_now() -> datetime:
    """The wall clock in UTC: the one seam tests replace to pin the time of day."""
    return datetime.now(UTC)


def today() -> date:
    pinned = os.environ.get(ENV_VAR, "").strip()
    if pinned and pinned_today_problem() is None:
        return date.fromisoformat(pinned)
    return utc_now().date()


def pinned_today_problem() -> str | None:
    """Why MODELSPEC_TODAY is unusable, or None when it is unset or a valid YYYY-MM-DD."""
    pinned = os.environ.get(ENV_VAR, "").strip()
    if not pinned:
        return None
    try:
        if len(pinned) != 10:
            raise ValueError(pinned)
        date.fromisoformat(pinned)
    except ValueError:
        return f"{ENV_VAR}={pinned!r} is not a date: use YYYY-MM-DD, or unset it"
    return None
