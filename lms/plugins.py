"""Plugin base class and loader. Plugins are found through the ``lms.plugins`` entry points,
enabled by the ``PLUGINS`` setting and loaded after the core."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, ClassVar

from flask import Flask

from lms.db import Base

if TYPE_CHECKING:
    from lms.models import Program, User
    from lms.requirements import OutcomeColumn, ProgramOutcome

ENTRY_POINT_GROUP = "lms.plugins"


class PluginError(RuntimeError):
    pass


class Plugin:
    """Subclass in a plugin package's ``__init__.py``. Keep it declarative."""

    name: ClassVar[str]
    requires: ClassVar[tuple[str, ...]] = ()
    default_config: ClassVar[dict[str, Any]] = {}
    # Module holding the plugin's models, so the loader can check their table prefixes.
    models_module: ClassVar[str | None] = None

    def init_app(self, app: Flask) -> None:
        """Register blueprints, CLI groups, requirement kinds and signal receivers."""

    def program_outcomes(self, user: User, program: Program) -> list[ProgramOutcome]:
        """Extra items on the learner's program card (e.g. "certificate ready")."""
        return []

    def outcome_columns(self, program: Program) -> list[OutcomeColumn]:
        """Dashboard columns this plugin adds, each a SELECT of user ids (never a Python loop)."""
        return []

    def seed_demo(self, app: Flask) -> None:
        """Add this plugin's demo data after the core demo exists; must be idempotent."""

    @property
    def package_path(self) -> str:
        module = importlib.import_module(type(self).__module__)
        return module.__path__[0] if hasattr(module, "__path__") else ""

    @property
    def migrations_path(self) -> str:
        return f"{self.package_path}/migrations/versions"


def _enabled_names(setting: Any) -> list[str]:
    if isinstance(setting, str):
        return [n.strip() for n in setting.split(",") if n.strip()]
    return list(setting or [])


def discover() -> dict[str, Callable[[], type[Plugin]]]:
    return {ep.name: ep.load for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load_plugins(app: Flask) -> dict[str, Plugin]:
    """Instantiate, check and initialise the enabled plugins in dependency order."""
    available = discover()
    wanted = _enabled_names(app.config.get("PLUGINS"))
    loaded: dict[str, Plugin] = {}
    for name in wanted:
        if name not in available:
            raise PluginError(f"plugin {name!r} is enabled but not installed (entry point missing)")
    for name in wanted:
        cls = available[name]()
        _check_class(name, cls)
        missing = [r for r in cls.requires if r not in wanted]
        if missing:
            raise PluginError(f"plugin {name!r} requires {missing} which are not enabled")
        plugin = cls()
        for key, value in cls.default_config.items():
            app.config.setdefault(key, value)
        loaded[name] = plugin
    for name in _dependency_order(loaded):
        plugin = loaded[name]
        if plugin.models_module:
            importlib.import_module(plugin.models_module)
        plugin.init_app(app)
    _check_table_prefixes(loaded)
    return loaded


def _check_class(name: str, cls: Any) -> None:
    if not (isinstance(cls, type) and issubclass(cls, Plugin)):
        raise PluginError(f"entry point {name!r} does not point to a Plugin subclass")
    if getattr(cls, "name", None) != name:
        raise PluginError(f"plugin class {cls.__name__} declares name {cls.name!r}, not {name!r}")


def _dependency_order(plugins: dict[str, Plugin]) -> list[str]:
    order: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in order:
            return
        if name in path:
            raise PluginError(f"plugin dependency cycle: {' -> '.join(path + (name,))}")
        for dep in plugins[name].requires:
            visit(dep, path + (name,))
        order.append(name)

    for name in plugins:
        visit(name, ())
    return order


def _check_table_prefixes(plugins: dict[str, Plugin]) -> None:
    """Every table defined in a plugin's models module must carry ``<plugin>_``."""
    for table in Base.metadata.tables.values():
        owner = table.info.get("plugin")
        module = _defining_module(table.name)
        for name, plugin in plugins.items():
            if plugin.models_module and module == plugin.models_module:
                owner = name
        if owner and not table.name.startswith(f"{owner}_"):
            raise PluginError(f"table {table.name!r} of plugin {owner!r} lacks the prefix {owner}_")


def _defining_module(table_name: str) -> str | None:
    for mapper in Base.registry.mappers:
        if mapper.local_table is not None and mapper.local_table.name == table_name:
            return mapper.class_.__module__
    return None
