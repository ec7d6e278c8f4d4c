"""The scenario suite's fixtures and hooks (api.livingdocs.plugin), for pytest."""

from api.livingdocs.plugin import *  # noqa: F403
