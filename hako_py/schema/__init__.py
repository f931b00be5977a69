"""The JSON Schema of a definition (built from the ECS model) and validation against it."""
