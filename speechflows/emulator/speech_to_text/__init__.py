"""The emulated Speech to text API (``/speechtotext/...`` and ``/speechtotext/v3.2/...``).

``routes`` holds the handlers and the router (a new route goes there, on :class:`SpeechToText`,
and in :meth:`SpeechToText.router`), ``datasets`` the dataset routes (create, upload, files),
``route_base`` the plumbing they share (references, creation, paging), ``resources`` the field
validation and rendering of the resources, ``jobs`` what each background job does (a new job kind
adds a handler there), ``catalog`` the fixed service data. Depends on
:mod:`speechflows.emulator.core` only.
"""
