"""The derived facts that rule conditions may name: one module per domain, one registry.

`engine.facts.core` defines what a fact is and holds the registry (VOCABULARY);
each domain module registers its facts; `engine.facts.build` computes them for an
application. Importing any module of this package imports every domain module first
(below), so the registry is always complete. A new kind of fact is a new domain module,
listed here.
"""

from engine.facts import cases, deadline, kindergartens, participation, supervision, survey

__all__ = ["cases", "deadline", "kindergartens", "participation", "supervision", "survey"]
