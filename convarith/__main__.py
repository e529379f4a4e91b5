"""``python -m convarith`` runs the command line."""

import sys

from convarith.cli import main

sys.exit(main())
