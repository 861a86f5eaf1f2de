"""modelspec: declarative ML operations. Validate, plan and apply model specs kept in git."""

# The one place the version is written: pyproject.toml reads it (a dynamic version), and
# whatever reports or pins the tool's version imports it. Nothing reads the installed
# metadata instead: an editable install can leave that stale or under an older name.
__version__ = "0.1.0"

# The name on PyPI. `modelspec` there is another project (a model specification format).
DISTRIBUTION = "modelspec-cli"

__all__ = ["DISTRIBUTION", "__version__"]
