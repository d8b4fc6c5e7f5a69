"""Prefect flows: the onboardings (personal voice, professional voice, custom speech) and upkeep.

Entry points for prefect.yaml are module paths of the installed package, so any worker of the pool
runs them without the deploying checkout:

- ``speechflows.flows.professional_voice:professional_voice_onboarding``
- ``speechflows.flows.personal_voice:personal_voice_onboarding``
- ``speechflows.flows.custom_speech:custom_speech_onboarding``
- ``speechflows.flows.sync:sync`` (drop scanning in :mod:`~speechflows.flows.drops` and
  :mod:`~speechflows.flows.blob_drops`), ``speechflows.flows.inventory:inventory``,
  ``speechflows.flows.watch:watch`` and ``speechflows.flows.release:custom_speech_release``

Beside them: :mod:`~speechflows.flows.params`, the parameter models (the Prefect UI form);
:mod:`~speechflows.flows.results`, what the onboardings return; :mod:`~speechflows.flows.report`,
the run report steps add to; :mod:`~speechflows.flows.common`, the steps several onboardings share.
A new onboarding gets its own module here, its parameter model in ``params.py``, and a deployment
in prefect.yaml; a step only it uses stays in its module.
"""
