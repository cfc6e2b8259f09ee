"""Core blinker signals. Plugins send ``requirement_met``; the core sends the others."""

from blinker import Namespace

_signals = Namespace()

requirement_met = _signals.signal("lms.requirement-met")
"""Sent by a plugin (sender: the Flask app) after it recorded that a learner met something a program
may require. kwargs: ``user_id`` (int), ``kind`` (str, e.g. "module"), ``ref`` (str). The core then
re-evaluates the learner's programs that need it and may send ``program_completed``."""

program_completed = _signals.signal("lms.program-completed")
"""Sent by the core (sender: the Flask app) once, when a learner has met every requirement of a
program. kwargs: ``user_id``, ``program_id``, ``completion_id``. Sent after flush, before commit:
receivers must write through the same session and never commit."""

user_renamed = _signals.signal("lms.user-renamed")
"""Sent by the core when an admin changes a learner's name. kwargs: ``user_id``, ``old``, ``new``."""
