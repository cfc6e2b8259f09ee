"""Signals of the certificates plugin."""

from blinker import Namespace

_signals = Namespace()

certificate_issued = _signals.signal("certificate-issued")
"""Sent (sender: the Flask app) after a certificate was issued or reissued and flushed.
kwargs: ``certificate_id`` (int), ``user_id`` (int), ``program_id`` (int)."""
