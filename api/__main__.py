"""``python -m api`` runs the ``stance`` command."""

import sys

from api.cli import main

sys.exit(main())
