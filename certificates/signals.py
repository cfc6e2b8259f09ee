"""Signals of the certificates plugin, sent by ``certificates.services`` (never by handlers or
views), after flush and before commit: receivers write through the same session, never commit."""

from blinker import Namespace

_signals = Namespace()

certificate_issued = _signals.signal("certificates.certificate-issued")
"""Sent once per new certificate (sender: the Flask app), when ``issue_certificate`` or
``reissue`` has rendered, sealed and flushed it; never for a certificate that already existed.
kwargs: ``certificate_id`` (int), ``user_id`` (int), ``program_id`` (int)."""

certificate_revoked = _signals.signal("certificates.certificate-revoked")
"""Sent (sender: the Flask app) when ``revoke`` has revoked a valid certificate and flushed it.
kwargs: ``certificate_id`` (int), ``user_id`` (int), ``program_id`` (int)."""
