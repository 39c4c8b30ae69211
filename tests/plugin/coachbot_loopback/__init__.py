"""The loopback platform: the coach over plain HTTP, for the suite (see ../README.md)."""
