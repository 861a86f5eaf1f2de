"""The server's Prometheus metrics: predictions by status code, their latency and how many are in flight.

The metric names are the ones the rendered PrometheusRule and
HorizontalPodAutoscaler read.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence

from modelspec.generate.kubernetes import CONCURRENCY_METRIC
from modelspec.generate.prometheus import ERRORS_METRIC, LATENCY_METRIC

__all__ = ["BUCKETS", "Metrics"]

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _labels(pairs: Sequence[tuple[str, str]]) -> str:
    if not pairs:
        return ""
    return "{" + ",".join(f"{k}={json.dumps(v)}" for k, v in pairs) + "}"


def _number(value: float) -> str:
    return "+Inf" if math.isinf(value) else repr(float(value))


class Metrics:
    """Prediction counters by status code, the latency histogram and the in-flight gauge."""

    def __init__(self, deployment: str | None = None) -> None:
        self._base: tuple[tuple[str, str], ...] = (
            (("deployment", deployment),) if deployment else ()
        )
        self._lock = threading.Lock()
        self._codes: dict[int, int] = {}
        self._buckets = [0] * len(BUCKETS)
        self._sum = 0.0
        self._count = 0
        self.inflight = 0

    def started(self) -> None:
        with self._lock:
            self.inflight += 1

    def observe(self, code: int, seconds: float) -> None:
        with self._lock:
            self.inflight -= 1
            self._codes[code] = self._codes.get(code, 0) + 1
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    self._buckets[i] += 1
            self._sum += seconds
            self._count += 1

    def abandoned(self) -> None:
        """A started request whose client went away before it was answered: it has no status."""
        with self._lock:
            self.inflight -= 1

    def render(self) -> str:
        with self._lock:
            base = self._base
            lines = [
                f"# HELP {ERRORS_METRIC} Prediction requests by HTTP status code.",
                f"# TYPE {ERRORS_METRIC} counter",
            ]
            for code, n in sorted(self._codes.items()):
                lines.append(f"{ERRORS_METRIC}{_labels([*base, ('code', str(code))])} {n}")
            lines += [
                f"# HELP {LATENCY_METRIC} Prediction request latency in seconds.",
                f"# TYPE {LATENCY_METRIC} histogram",
            ]
            for bound, n in zip((*BUCKETS, math.inf), (*self._buckets, self._count), strict=True):
                le = _labels([*base, ("le", _number(bound))])
                lines.append(f"{LATENCY_METRIC}_bucket{le} {n}")
            lines.append(f"{LATENCY_METRIC}_sum{_labels(base)} {_number(self._sum)}")
            lines.append(f"{LATENCY_METRIC}_count{_labels(base)} {self._count}")
            lines += [
                f"# HELP {CONCURRENCY_METRIC} Prediction requests being answered.",
                f"# TYPE {CONCURRENCY_METRIC} gauge",
                f"{CONCURRENCY_METRIC}{_labels(base)} {self.inflight}",
            ]
        return "\n".join(lines) + "\n"
