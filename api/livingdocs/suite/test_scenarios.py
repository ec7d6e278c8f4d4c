"""Every round's own scenarios (features/<round>/), bound to the step vocabulary and its rules."""

from api.livingdocs.plugin import bind_rounds
from api.livingdocs.steps.given import *  # noqa: F403
from api.livingdocs.steps.then import *  # noqa: F403
from api.livingdocs.steps.when import *  # noqa: F403

bind_rounds(globals())
