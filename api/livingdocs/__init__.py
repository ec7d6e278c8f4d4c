"""Living documentation: the Gherkin scenario runner, the step vocabulary and the docs site."""
