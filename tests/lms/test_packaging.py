"""Packaging: the project is declared so that ``pip install .`` (not editable) gives a working app.

The wheel is built from a copy of the sources (no ``build/`` left in the checkout), installed without
dependencies into a fresh virtualenv that borrows the test environment's installed packages (but not
its editable install of this project), and run from an empty directory: ``lms db upgrade`` then
``lms demo`` on a fresh SQLite instance folder."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = (
    "pyproject.toml",
    "setup.py",
    "README.md",
    "LICENSE",
    "lms",
    "modules",
    "pledges",
    "certificates",
    "migrations",
)
PACKAGES = ("lms", "modules", "pledges", "certificates")


def _version_files() -> set[str]:
    """Every revision of every branch, as the wheel must name it."""
    names = {f"lms/migrations/versions/{p.name}" for p in (ROOT / "migrations" / "versions").glob("*.py")}
    for plugin in PACKAGES[1:]:
        names |= {
            f"{plugin}/migrations/versions/{p.name}" for p in (ROOT / plugin / "migrations" / "versions").glob("*.py")
        }
    return names


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "*.mo")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=ignore)
        elif path.exists():
            shutil.copy2(path, src / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "-q",
            "-w",
            str(out),
            str(src),
        ],
        check=True,
        cwd=src,
        capture_output=True,
        text=True,
    )
    (built,) = out.glob("ikrar-*.whl")
    return built


def test_wheel_carries_the_alembic_environment_and_every_branch(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"lms/migrations/env.py", "lms/migrations/script.py.mako"} <= names
    expected = _version_files()
    assert any(n.startswith("lms/migrations/versions/") for n in expected)
    assert expected <= names, sorted(expected - names)
    assert not any(n.startswith(("migrations/", "tests/")) for n in names)  # no generic top-level names


def _run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "PYTHON", "FLASK_", "VIRTUAL_ENV"))}
    env["LMS_SECRET_KEY"] = "packaging-test-secret-key-" + "x" * 32
    result = subprocess.run(
        [str(venv / "bin" / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_installed_wheel_migrates_and_seeds_the_demo(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(
        subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # The dependencies come from the test environment; a path in a .pth file is added to sys.path
    # but its own .pth files (this project's editable finder) are not run.
    (purelib / "ikrar-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--no-deps",
            "--disable-pip-version-check",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    work = tmp_path / "empty"
    work.mkdir()

    where = _run(
        venv,
        work,
        "python",
        "-c",
        "import json, flask, lms, lms.migrate, modules, pledges, certificates; "
        "app = flask.Flask('lms'); print(json.dumps(["
        "[m.__file__ for m in (lms, modules, pledges, certificates)],"
        " str(lms.migrate.MIGRATIONS_DIR), app.instance_path]))",
    )
    files, migrations_dir, instance = json.loads(where.stdout)
    for path in files:  # the installed copy, never the checkout
        assert Path(path).is_relative_to(purelib), path
    assert Path(migrations_dir) == purelib / "lms" / "migrations"
    instance_path = Path(instance)
    assert instance_path.is_relative_to(venv) and not instance_path.exists()

    assert "Database is up to date." in _run(venv, work, "lms", "db", "upgrade").stdout
    assert (instance_path / "ikrar.db").is_file()
    out = _run(venv, work, "lms", "demo").stdout
    assert "Demo ready." in out
    for plugin in PACKAGES[1:]:
        assert f"plugin {plugin}: demo data ready" in out

    certificates = json.loads(_run(venv, work, "lms", "certificates", "list", "--json").stdout)
    assert certificates
    assert _run(venv, work, "lms", "pledges", "verify-ledger").stdout.startswith("OK:")
    assert "0 problems" in _run(venv, work, "lms", "certificates", "verify-all").stdout


# -- declared dependencies ------------------------------------------------------------------------


def _top_level_imports(paths: list[Path]) -> set[str]:
    names: set[str] = set()
    for path in paths:
        for file in path.rglob("*.py"):
            for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names.add(node.module.split(".")[0])
    return names


def _requirement_name(spec: str) -> str:
    name = spec.split(";")[0]
    for sep in "[<>=!~ ":
        name = name.split(sep)[0]
    return name.strip().lower().replace("_", "-")


def _third_party(imports: set[str]) -> dict[str, set[str]]:
    """Import name -> distribution names, for what is neither the standard library nor ours."""
    dists = packages_distributions()
    own = {*PACKAGES, "tests", "conftest", "migrations"}
    out: dict[str, set[str]] = {}
    for name in imports - sys.stdlib_module_names - own:
        out[name] = {d.lower().replace("_", "-") for d in dists.get(name, [name])}
    return out


def _declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return (
        {_requirement_name(s) for s in project["dependencies"]},
        {_requirement_name(s) for s in project["optional-dependencies"]["test"]},
    )


def test_every_imported_distribution_is_declared_with_a_lower_bound() -> None:
    runtime, test = _declared()
    app_imports = _third_party(_top_level_imports([ROOT / p for p in PACKAGES] + [ROOT / "migrations"]))
    missing = {name: dists for name, dists in app_imports.items() if not dists & runtime}
    assert not missing, f"imported by the app but not in [project] dependencies: {missing}"

    test_imports = _third_party(_top_level_imports([ROOT / "tests"]))
    missing = {name: dists for name, dists in test_imports.items() if not dists & (runtime | test)}
    assert not missing, f"imported by the tests but not declared (dependencies or the test extra): {missing}"

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for spec in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        assert ">=" in spec, f"{spec!r} has no lower bound"
