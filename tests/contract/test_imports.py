"""The plugin contract, checked on the source: the core never imports a plugin, no plugin imports
another, and views use only the public names of the modules they import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lms.config import DEFAULT_PLUGINS

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = set(DEFAULT_PLUGINS)
PACKAGES = {"lms", *PLUGINS}


def _sources(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module_name(path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def _violations(package: str, forbidden: set[str]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in _sources(package)
        for line, name in _imported_modules(path)
        if _top(name) in forbidden
    ]


def test_core_never_imports_a_plugin() -> None:
    assert _violations("lms", PLUGINS) == []


@pytest.mark.parametrize("plugin", sorted(PLUGINS))
def test_no_plugin_imports_another(plugin: str) -> None:
    assert _violations(plugin, PLUGINS - {plugin}) == []


def _is_project_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _private_uses(path: Path) -> list[str]:
    """``from x import _y`` and ``module._y`` where ``module`` is one of the project's modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: set[str] = set()
    problems: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            for alias in node.names:
                if alias.name.startswith("_"):
                    problems.append(f"line {node.lineno}: imports private {alias.name}")
                target = f"{node.module}.{alias.name}" if node.module else alias.name
                if node.level or _top(target) in PACKAGES and _is_project_module(target):
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules |= {(a.asname or a.name).split(".")[0] for a in node.names if _top(a.name) in PACKAGES}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            problems.append(f"line {node.lineno}: uses private {node.value.id}.{node.attr}")
    return problems


def _view_files() -> list[Path]:
    return [
        p
        for package in sorted(PACKAGES)
        for p in _sources(package)
        if p.name in ("views.py", "public.py") or p.parent.name == "views"
    ]


@pytest.mark.parametrize("path", _view_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_views_use_only_public_names(path: Path) -> None:
    assert _private_uses(path) == []


def test_the_checks_see_real_imports(tmp_path: Path) -> None:
    """Guard against a checker that finds nothing: a plugin's views do import the core, and a
    private call on a project module is caught."""
    names = [name for _, name in _imported_modules(ROOT / "certificates" / "views.py")]
    assert "lms.db.db" in names and "certificates.services" in names
    snippet = tmp_path / "views.py"
    snippet.write_text("from modules import services\nservices._rule()\n", encoding="utf-8")
    assert _private_uses(snippet) == ["line 2: uses private services._rule"]
