"""``python -m deliberation``: the part's operator CLI (``deliberation/cli.py``)."""

from __future__ import annotations

import sys

from deliberation.cli import main

if __name__ == "__main__":
    sys.exit(main())
