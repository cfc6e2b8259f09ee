"""Signals of the pledges plugin."""

from blinker import Namespace

_signals = Namespace()

pledge_signed = _signals.signal("pledges.pledge-signed")
"""Sent by ``pledges.services.sign_pledge`` (sender: the Flask app) after a new signature and its
ledger entry were flushed, before commit. kwargs: ``signature_id`` (int), ``user_id`` (int),
``program_id`` (int), ``text_key`` (str, the pledge's key), ``ledger_seq`` (int). Receivers write
through the same session and never commit. Not sent again for a repeated (double) submit."""
