"""``python -m sitebuild --artifacts artifacts --out static``: see sitebuild/cli.py."""

import signal
import sys

from sitebuild.cli import exit_on_sigterm, main

signal.signal(signal.SIGTERM, exit_on_sigterm)
sys.exit(main())
