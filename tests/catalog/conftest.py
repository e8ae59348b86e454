"""Fixtures for catalog tests: the shipped Qingdao catalog, loaded or copied for editing.

Other test folders load the real catalog with `xinyong.catalog.services.load_catalog`
(the path defaults to settings.CATALOG_DIR).
"""

import shutil
from pathlib import Path

import pytest

from xinyong.catalog.services import load_catalog

QINGDAO_DIR = Path(__file__).resolve().parents[2] / "catalog" / "qingdao"


@pytest.fixture
def qingdao_dir() -> Path:
    return QINGDAO_DIR


@pytest.fixture
def qingdao_catalog(db):
    """The shipped Qingdao catalog, loaded into the test database (a LoadResult)."""
    return load_catalog(QINGDAO_DIR, actor="test:catalog")


@pytest.fixture
def catalog_copy(tmp_path) -> Path:
    """A writable copy of the Qingdao catalog, to break or change in a test."""
    target = tmp_path / "qingdao"
    shutil.copytree(QINGDAO_DIR, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact occurrence of `old` in a catalog file."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    """The 1-based line number of the first line containing `text`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not found in {path}")
