"""Doctests of optional integrations run where their extra is installed, and skip otherwise."""

import importlib.util

import pytest

# Module (relative to the checkout) -> the optional dependency its examples import.
EXTRA_DOCTESTS = {"liesym/data/offline.py": "minari"}


def pytest_collection_modifyitems(config, items):
    """Mark the doctests of a module whose optional dependency is missing as skipped."""
    for item in items:
        if not isinstance(item, pytest.DoctestItem):
            continue
        module = item.path.relative_to(config.rootpath).as_posix()
        needs = EXTRA_DOCTESTS.get(module)
        if needs and importlib.util.find_spec(needs) is None:
            item.add_marker(pytest.mark.skip(reason=f"needs the optional dependency {needs}"))
