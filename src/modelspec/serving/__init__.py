"""The model server: predictions over HTTP with a verified build."""
