"""Checks beyond the JSON Schema: what ECS rejects at registration, and what looks wrong."""
