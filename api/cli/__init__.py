"""The command line `utvalg` (CONTRACT section 4): one module per command."""
