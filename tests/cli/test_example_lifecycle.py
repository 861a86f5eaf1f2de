"""The example project end to end through the real CLI: determinism, killed applies, committed output."""

from __future__ import annotations

import filecmp
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from modelspec.state import LocalFileBackend

pytestmark = pytest.mark.slow  # each test applies the whole example: ~20 s apiece

REPO = Path(__file__).resolve().parents[2]


def modelspec(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "modelspec", "-C", str(root), *args],
        capture_output=True, text=True, timeout=300,
    )
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def copy_example(dest: Path) -> Path:
    """The repo's own example project (config, specs, data), without state or output."""
    dest.mkdir(parents=True)
    shutil.copy2(REPO / "modelspec.yaml", dest / "modelspec.yaml")
    for name in ("specs", "data", "schemas"):
        shutil.copytree(REPO / name, dest / name)
    return dest


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_fresh_copies_render_identical_generated_trees(tmp_path: Path) -> None:
    a = copy_example(tmp_path / "a")
    b = copy_example(tmp_path / "b")
    for root in (a, b):
        modelspec(root, "apply", "--auto-approve")
    assert tree(a / "generated") == tree(b / "generated")
    assert tree(a / "generated")


# The sha256 of a build's manifest, which deployment manifests carry. A build is byte-reproducible
# on one machine (the skops archive is canonical), but BLAS kernels differ by CPU in the last bits
# of fitted weights, so the committed tree may name the build another machine trained.
_BUILD_DIGEST = re.compile(
    rb"(modelspec.dev/model-build-digest: |name: MODELSPEC_BUILD_DIGEST\n\s+value: )sha256:[0-9a-f]{64}"
)


def _masked(files: dict[str, bytes]) -> dict[str, bytes]:
    return {path: _BUILD_DIGEST.sub(rb"\1sha256:<build>", content) for path, content in files.items()}


def test_committed_generated_tree_is_what_apply_renders(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "fresh")
    modelspec(root, "apply", "--auto-approve")
    committed, rendered = REPO / "generated", root / "generated"
    comparison = filecmp.dircmp(committed, rendered)
    digests = re.findall(rb"model-build-digest: (sha256:[0-9a-f]{64})", b"".join(tree(rendered).values()))
    state = (root / ".modelspec" / "state.json").read_text()
    assert digests and all(d.decode() in state for d in digests)  # the builds apply recorded
    assert _masked(tree(committed)) == _masked(tree(rendered)), (
        f"generated/ is stale (differs: {comparison.diff_files}, only committed: {comparison.left_only}, "
        f"only rendered: {comparison.right_only}); refresh it with `modelspec apply --auto-approve` "
        "on a fresh copy of the example (`make generated`)"
    )


def test_first_plan_apply_then_nothing_to_do(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "p")
    assert modelspec(root, "plan", "--detailed-exitcode", check=False).returncode == 2
    modelspec(root, "apply", "--auto-approve")
    proc = modelspec(root, "plan", "--detailed-exitcode", check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No changes" in proc.stdout


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")
def test_killing_apply_midway_never_corrupts_state(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "k")
    rng = random.Random(7)
    backend = LocalFileBackend(root / ".modelspec" / "state.json")
    for _ in range(6):
        proc = subprocess.Popen(
            [sys.executable, "-m", "modelspec", "-C", str(root), "apply", "--auto-approve"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = backend.read()  # parses, whatever moment the kill hit
        assert state.serial >= 0
        held = backend.current_lock()
        if held is not None:  # a killed apply leaves its lock, as terraform does
            backend.force_unlock(held.id)
    # the state that survived is true to what was done: finishing the job converges
    modelspec(root, "apply", "--auto-approve")
    proc = modelspec(root, "plan", "--detailed-exitcode", check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
