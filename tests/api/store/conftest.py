"""The store tests' shared fixture: a migrated, empty database with its case store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.store.cases import CaseStore
from api.store.db import make_engine, migrate


@pytest.fixture
def store(database_url: str) -> Iterator[CaseStore]:
    """A migrated, empty database with its case store."""
    engine = make_engine(database_url)
    migrate(engine)
    yield CaseStore(engine)
    engine.dispose()
