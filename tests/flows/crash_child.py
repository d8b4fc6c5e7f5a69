"""Run one professional voice onboarding from JSON params (argv[1]); the crash test kills it."""

from __future__ import annotations

import sys

from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from speechflows.flows.params import ProfessionalVoiceParams
from speechflows.flows.professional_voice import professional_voice_onboarding

if __name__ == "__main__":
    params = ProfessionalVoiceParams.model_validate_json(sys.argv[1])
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        professional_voice_onboarding(params)
