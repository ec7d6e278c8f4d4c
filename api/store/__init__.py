"""The database: engine and migrations, the decision log (append-only)."""
