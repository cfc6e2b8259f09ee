"""The `pledges` plugin of Ikrar (see ARCHITECTURE.md)."""

from lms.plugins import Plugin


class PledgesPlugin(Plugin):
    name = "pledges"
    models_module = None
