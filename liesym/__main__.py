"""``python -m liesym``: the command line."""

import sys

from liesym.cli import main

sys.exit(main())
