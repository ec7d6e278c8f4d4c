"""The pytest module that binds every scenario to the step vocabulary (run by the runner)."""
