"""The `certificates` plugin of Ikrar (see ARCHITECTURE.md)."""

from lms.plugins import Plugin


class CertificatesPlugin(Plugin):
    name = "certificates"
    models_module = None
