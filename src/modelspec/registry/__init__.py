"""The model registry: registered builds, verified on load against what state recorded, and aliases."""
