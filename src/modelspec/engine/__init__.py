"""The engines apply runs: the local pipeline steps (validate data, train, evaluate, register), and where cluster pipelines meet apply."""
