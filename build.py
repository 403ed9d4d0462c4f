#!/usr/bin/env python3
"""Casebook command line: ``python build.py [command] [options]``."""

import sys

from casebook.cli import main

if __name__ == "__main__":
    sys.exit(main())
