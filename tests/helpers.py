"""What the test modules share."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The repository: conftest.py runs every test here."""
