"""Every scenario under features/ (bdd_features_base_dir), bound to the step vocabulary."""

from pytest_bdd import scenarios

from api.livingdocs.steps.given import *  # noqa: F403
from api.livingdocs.steps.then import *  # noqa: F403
from api.livingdocs.steps.when import *  # noqa: F403

scenarios(".")
