"""How a short command process starts and ends: what the service does, less what it never uses.

`utvalg evaluate` of one file is mostly start-up and exit (issue 12: under 0.15 s). Two costs
of the libraries are left out here, each measured on `utvalg evaluate` of an example (about
0.23 s on a quiet machine before):

- pydantic searches every installed package's metadata for plugins when it builds its first
  validator: `importlib.metadata` (which imports the `email` package) and a read of each
  package's entry points, 15–20 ms. No pydantic plugin is installed with utvalg
  (tests/api/cli/test_startup.py keeps it so), and a command's decisions must not depend on
  one; `PYDANTIC_DISABLE_PLUGINS` skips the search but not the import.
- the interpreter's exit collects every object of the imported libraries several times over
  (about 25 ms); freezing them first leaves their memory to the operating system instead.
"""

from __future__ import annotations

import atexit
import gc
import sys
import types

# pydantic 2's seam: pydantic.plugin._schema_validator imports get_plugins from this module
# when it builds a validator, and builds a plain validator when it returns no plugins
PLUGIN_LOADER = "pydantic.plugin._loader"


def _no_plugins() -> tuple[()]:
    return ()


def without_pydantic_plugins() -> None:
    """Let pydantic build its validators without searching the installed packages for plugins.

    Only before pydantic has loaded its plugin loader (in a fresh process): a process that has
    loaded it keeps what it found.
    """
    if PLUGIN_LOADER not in sys.modules:
        loader = types.ModuleType(PLUGIN_LOADER, "No pydantic plugins (api.cli.startup).")
        loader.get_plugins = _no_plugins  # type: ignore[attr-defined]
        sys.modules[PLUGIN_LOADER] = loader


def exit_without_collecting() -> None:
    """At exit, freeze the objects still alive so that the interpreter's last collections skip them.

    Their finalisers do not run (they would not for objects in cycles either), so this is only
    for a command that has closed what it opened; atexit handlers (logging's among them) still run.
    """
    atexit.unregister(gc.freeze)  # once, however often main() runs in one process (tests)
    atexit.register(gc.freeze)
