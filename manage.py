#!/usr/bin/env python
"""Django's manage.py; the `peelian` console command is the same entry point."""

from peelian.cli import main

if __name__ == "__main__":
    main()
