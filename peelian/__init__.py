"""Peelian: doing, and measuring, the work of rebuilding public trust in policing."""

__version__ = "0.1.0"
