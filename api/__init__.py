"""utvalg's outside: the command line, the HTTP API, the web pages and the decision log."""
