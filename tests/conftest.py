"""Fixtures shared by every test folder: the demo warehouse, built once by the real CLI."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pandera.config import ValidationDepth

from pipelines import schemas

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def full_staging_checks() -> Iterator[None]:
    """Check every file a test loads in this process against the staging schema's value checks too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(schemas, "STAGING_DEPTH", ValidationDepth.SCHEMA_AND_DATA)
        yield


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The VALPAS 2 demo warehouse, built by ``python -m pipelines demo`` as `make demo` does. Read only."""
    path = tmp_path_factory.mktemp("demo_warehouse") / "warehouse.duckdb"
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "demo", "--db", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"demo build failed:\n{done.stdout}\n{done.stderr}"
    assert path.exists()
    return path
