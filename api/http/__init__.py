"""The HTTP API (/v1): one router module per resource, and what they share."""
