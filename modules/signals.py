"""Signals of the modules plugin."""

from blinker import Namespace

_signals = Namespace()

module_passed = _signals.signal("modules.module-passed")
"""Sent (sender: the Flask app) after flush, the first time a learner passes an attempt.
kwargs: ``user_id`` (int), ``module_id`` (the module version passed), ``slug`` (str), ``attempt_id``,
``score`` (float, percent). Receivers write through the same session and never commit. The plugin
also sends the core's ``requirement_met`` (kind="module", ref=slug) right after."""
