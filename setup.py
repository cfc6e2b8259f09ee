"""The one thing pyproject.toml cannot say: the core's Alembic home, the top-level ``migrations/``
(env.py, script.py.mako, versions/), ships inside the wheel as ``lms/migrations`` (see lms/migrate.py).
Everything else is declared in pyproject.toml."""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages(include=["lms*", "modules*", "pledges*", "certificates*", "reports*", "lti*"]),
        "lms.migrations",
        "lms.migrations.versions",
    ],
    package_dir={"lms.migrations": "migrations"},
)
