"""Reliability tests: the app in real processes (gunicorn, the command line, killed writers).

They are slow-ish (tens of seconds) but part of every `make test` run: the `slow` marker only
labels them; nothing deselects it.
"""
import pytest

from tests.reliability import helpers


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs real server processes (still part of every test run)")


@pytest.fixture(autouse=True)
def _close_engines():
    yield
    helpers.dispose_engines()
