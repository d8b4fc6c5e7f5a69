"""Prefect tasks: thin bindings of the library calls to retries, caching, artifacts and events.

Tasks take ids, paths and URLs (never clients or secrets) and build their clients from the
settings in the environment. Modules:

- :mod:`~speechflows.tasks.data`: validate, package, manifest and stage local data.
- :mod:`~speechflows.tasks.custom_voice`: projects, consents, training sets, personal voices,
  models and endpoints of Custom Voice.
- :mod:`~speechflows.tasks.custom_speech`: projects, datasets, models and evaluations of custom speech.
- :mod:`~speechflows.tasks.caching`, :mod:`~speechflows.tasks.retries`,
  :mod:`~speechflows.tasks.throttle`: the policies they share (cache keys, retries, the Speech
  API rate-limit slot every write takes).
- :mod:`~speechflows.tasks.artifacts`, :mod:`~speechflows.tasks.events`: what people and
  automations see.
"""
