from __future__ import annotations

from pathlib import Path

import pytest

from console.core.plan import load_plan

PLAN_PATH = Path(__file__).resolve().parents[3] / "resources" / "sample_plan.yaml"
T0 = 1_760_000_000.0


@pytest.fixture(scope="session")
def plan():
    return load_plan(PLAN_PATH)
