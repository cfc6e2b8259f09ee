"""Flask-Babel set-up: Indonesian is the source language, English the first translation.

Catalogues (.po) live in each package's ``translations/``; stale or missing .mo files are compiled
at start-up so a fresh checkout never shows untranslated text.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, has_request_context, request, session
from flask_login import current_user

from lms.extensions import babel
from lms.timezones import select_timezone

LOCALE_SESSION_KEY = "lang"


def select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and background jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    # Public pages switch language by ?lang= (a link, no form, so they need no session cookie).
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    chosen = session.get(LOCALE_SESSION_KEY)
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def compile_catalogues(translations_dir: Path) -> None:
    for po_path in translations_dir.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)
        except OSError:  # read-only install: ship compiled catalogues instead
            pass


def init_app(app: Flask) -> None:
    # The core keeps one catalogue per area so parallel work never edits the same file.
    core_dirs = [p for p in sorted(Path(__file__).parent.glob("**/translations")) if p.is_dir()]
    for directory in core_dirs:
        compile_catalogues(directory)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(d) for d in core_dirs)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)


def add_plugin_translations(app: Flask) -> None:
    """Append each plugin's catalogue directory; Flask-Babel merges them per locale."""
    directories = app.extensions["babel"].translation_directories
    for plugin in app.extensions["lms.plugins"].values():
        path = Path(plugin.package_path) / "translations"
        if path.is_dir() and str(path) not in directories:
            compile_catalogues(path)
            directories.append(str(path))
