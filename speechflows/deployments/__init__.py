"""Deployments: set up the Prefect server (work pool, Speech API rate limit), apply ``prefect.yaml``
(:mod:`~speechflows.deployments.setup`) and serve it without a worker
(:mod:`~speechflows.deployments.serve`).

Only deploying lives here: nothing under ``flows/`` or ``tasks/`` imports this package. The flows'
parameter models are in :mod:`speechflows.flows.params`, the rate-limit slot the tasks take in
:mod:`speechflows.tasks.throttle`.
"""
