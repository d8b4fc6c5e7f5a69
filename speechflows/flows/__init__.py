"""Prefect flows: the onboardings (personal voice, professional voice, custom speech) and upkeep.

Entry points for prefect.yaml:

- ``speechflows/flows/professional_voice.py:professional_voice_onboarding``
- ``speechflows/flows/personal_voice.py:personal_voice_onboarding``
- ``speechflows/flows/custom_speech.py:custom_speech_onboarding``
- ``speechflows/flows/sync.py:sync`` (drop scanning in :mod:`~speechflows.flows.drops` and
  :mod:`~speechflows.flows.blob_drops`) and ``speechflows/flows/inventory.py:inventory``

Beside them: :mod:`~speechflows.flows.params`, the parameter models (the Prefect UI form);
:mod:`~speechflows.flows.results`, what the onboardings return; :mod:`~speechflows.flows.report`,
the run report steps add to; :mod:`~speechflows.flows.common`, the steps several onboardings share.
A new onboarding gets its own module here, its parameter model in ``params.py``, and a deployment
in prefect.yaml; a step only it uses stays in its module.
"""
