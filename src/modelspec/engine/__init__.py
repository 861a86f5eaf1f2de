"""The local engine: the pipeline steps apply runs on this machine (validate data, train, evaluate, register)."""
