"""The emulated Custom Voice API (``/customvoice/...``).

``routes`` holds the handlers and the router (a new route goes there, on :class:`CustomVoice`,
and in :meth:`CustomVoice.router`), ``route_base`` the plumbing they share (references,
idempotent creates, long-running operations, multipart uploads), ``resources`` the field
validation and rendering of the resources, ``jobs`` what each long-running operation does in the
background (a new operation kind adds a handler there), ``catalog`` the fixed service data.
Depends on :mod:`speechflows.emulator.core` only.
"""
