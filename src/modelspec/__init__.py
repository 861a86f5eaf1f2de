"""modelspec: declarative ML operations. Validate, plan and apply model specs kept in git."""

__version__ = "0.1.0"

__all__ = ["__version__"]
