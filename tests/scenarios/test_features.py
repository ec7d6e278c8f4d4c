"""Every scenario under features/ (bdd_features_base_dir), bound to the step vocabulary."""

from pytest_bdd import scenarios

from tests.steps.given import *  # noqa: F403
from tests.steps.then import *  # noqa: F403
from tests.steps.when import *  # noqa: F403

scenarios(".")
