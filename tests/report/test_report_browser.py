"""The HTML report in headless Chromium: what a reader sees on screen and on paper, plus a screenshot.

Needs Debian's `chromium` (.ci/run installs it). Without it the test skips,
except in CI (the CI variable set), where a missing browser is a failure.
The screenshot is kept as test-artifacts/report.png in the repository root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from modelspec.report import Report, render_html

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT_SECONDS = 60


def _chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it with apt-get")
        pytest.skip("chromium is not installed (apt-get install chromium); CI always runs this")
    return found


def _run(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *args,
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result


@pytest.fixture
def page(report: Report, tmp_path: Path) -> Path:
    path = tmp_path / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path


def test_the_browser_shows_the_report(
    page: Path, tmp_path: Path, visible: Callable[[str], str]
) -> None:
    chromium = _chromium()
    dom = _run(chromium, tmp_path / "profile", "--dump-dom", page.as_uri()).stdout
    text = visible(dom)
    assert "Compliance report: oncology" in text
    assert "biopsy oncology-ml 1.2.0 applied: 1.1.0 high personal data" in text
    assert "deployment.biopsy-prod two-replicas soft-mandatory waived" in text
    assert "dr.okafor 2027-01-06 40 active" in text
    assert "model.triage clinical-lead sam.lead 2026-10-01 stale" in text
    assert "Human oversight 2(e), 3 missing" in text
    assert "<b>pathology</b>" not in dom  # the spec's markup stayed text

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    _run(
        chromium, tmp_path / "profile", "--hide-scrollbars", f"--screenshot={shot}",
        "--window-size=1280,2000", page.as_uri(),
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one


def test_the_printed_report_keeps_the_words(page: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    pdf = tmp_path / "report.pdf"
    _run(chromium, tmp_path / "profile", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    result = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
        timeout=TIMEOUT_SECONDS,
    )
    text = " ".join(result.stdout.split())
    for word in ("PASS", "FAIL", "WAIVED", "STALE", "FRESH", "MISSING", "DOCUMENTED"):
        assert word in text, word  # printed in black and white, the status is still a word
    assert "Compliance report: oncology" in text
    assert "Audit history" in text and "hotfix for incident 42" in text
