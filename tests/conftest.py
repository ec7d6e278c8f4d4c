"""Test order for the two test processes: the long files first, so neither waits at the end."""

from __future__ import annotations

import pytest

HEAVY = "heavy"  # the mark of a long file (real servers, browsers, several reload gates)


def pytest_configure(config: pytest.Config) -> None:
    """Register the mark of a long file."""
    config.addinivalue_line("markers", f"{HEAVY}: a long file, started before the others")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests of files marked heavy first, each group in its collected order.

    `make unit` hands whole files to two processes in this order (--dist loadfile
    --no-loadscope-reorder): a long file begun last would keep one process busy while the
    other has nothing left (xdist's own order, by number of tests, put them last).
    """
    items.sort(key=lambda item: item.get_closest_marker(HEAVY) is None)
