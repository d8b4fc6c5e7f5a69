"""The emulator's shared core: what both APIs' routes and jobs build on (imports nothing above).

``config`` (settings, api-versions), ``context`` (one running instance's shared parts),
``engine`` (the background worker) and ``status_job`` (the base of job handlers), ``store``
(SQLite state), ``faults``, ``errors``, ``locales`` and ``wire`` (request/response plumbing), ``blob``
(loopback-only Blob reads), ``analysis`` (validation of customer data), ``signing`` (signed file
URLs). Something both APIs need goes here; something one API needs goes in its package.
"""
