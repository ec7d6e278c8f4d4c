"""Elevundersøkelsen figures from Udir's statistics export: parse, store, look up (issue 5)."""
