"""The `modules` plugin of Ikrar (see ARCHITECTURE.md): training modules from content packs,
lessons, quizzes and the ``module`` requirement kind."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lms.plugins import Plugin

if TYPE_CHECKING:
    from flask import Flask


class ModulesPlugin(Plugin):
    name = "modules"
    models_module = "modules.models"
    default_config: dict[str, Any] = {
        # JP hours of a module whose pack gives none: reading time of its lessons at this many
        # words a minute (Indonesian legal text) plus its quiz time, in JP of this many minutes
        "MODULES_READING_WPM": 150,
        "MODULES_JP_MINUTES": 45,
    }

    def init_app(self, app: Flask) -> None:
        from modules import views
        from modules.cli import modules_cli
        from modules.kinds import ModuleRequirement
        from modules.menus import register_menus

        app.register_blueprint(views.bp)
        app.cli.add_command(modules_cli)
        app.extensions["lms.requirements"].register(ModuleRequirement())
        register_menus(app)

    def seed_demo(self, app: Flask) -> None:
        from modules.demo import seed

        seed(app)
