"""The scikit-learn side: reading tables, allow-listed estimators, fitting, metrics and gates."""
