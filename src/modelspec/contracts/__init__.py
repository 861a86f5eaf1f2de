"""Spec changes over git history: semantic diffs and the semver rules of data contracts."""
