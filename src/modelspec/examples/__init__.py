"""The example project `modelspec init` writes: a clinical ML team's specs and datasets."""
