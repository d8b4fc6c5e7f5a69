"""The short polling deadlines every onboarding flow test runs with (emulator jobs take seconds)."""

from __future__ import annotations

from speechflows.flows.params import Deadlines

FAST = Deadlines(
    poll_min_seconds=0.05,
    poll_max_seconds=0.3,
    consent_minutes=2,
    training_set_minutes=2,
    personal_voice_minutes=2,
    dataset_minutes=2,
    model_minutes=2,
    evaluation_minutes=2,
    endpoint_minutes=2,
)
