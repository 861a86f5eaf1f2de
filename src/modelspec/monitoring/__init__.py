"""Monitoring: drift and live performance against a deployment's thresholds, and what a breach does."""
