"""Human-readable views of the commands' results, one module per command, apart from the commands."""
