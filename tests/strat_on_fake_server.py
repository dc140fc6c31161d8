"""The real `strat` command line, its team server replaced by tests/fakeserver.py (state in the
folder $STRAT_FAKE_SERVER), so a whole `strat new` can be run in a terminal, killed and resumed
from another process against a server that goes down and comes back. Test code only."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import strat_cli.stores
from strat_cli.cli import main
from tests.fakeserver import FakeServer


def open_server(settings: Any) -> FakeServer:
    return FakeServer(Path(os.environ["STRAT_FAKE_SERVER"]), settings.store)


strat_cli.stores.open_server = open_server

if __name__ == "__main__":
    main()
