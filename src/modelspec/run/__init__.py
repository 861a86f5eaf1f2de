"""Pipeline steps the local engine runs: data validation, training, evaluation, registration."""
