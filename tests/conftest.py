"""Shared test setup. App-specific fixtures live in tests/<app>/conftest.py."""
