"""Every test runs in the repository root, wherever pytest was started: "configs/seed.yaml"
names the bundled seed in a test, at collection, and in the commands a test runs.

Hypothesis profiles: "ci" (the default) keeps every run to a minute or two;
HYPOTHESIS_PROFILE=long runs the property and fuzz suites much longer."""

import os

from helpers import ROOT
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config):
    os.chdir(ROOT)  # before collection: test modules read configs/ and README.md as they are imported


def pytest_unconfigure(config):
    os.chdir(config.invocation_params.dir)
