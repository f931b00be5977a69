"""Reviewing definition changes between a git revision and the working tree (no AWS)."""
