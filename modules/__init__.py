"""The `modules` plugin of Ikrar (see ARCHITECTURE.md)."""

from lms.plugins import Plugin


class ModulesPlugin(Plugin):
    name = "modules"
    models_module = None
