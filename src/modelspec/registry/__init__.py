"""The model registry: registered builds, verified on load, and the aliases deployments point at."""
