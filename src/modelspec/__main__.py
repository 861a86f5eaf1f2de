"""`python -m modelspec` runs the CLI."""

from modelspec.cli import main

main()
