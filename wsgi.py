"""WSGI entry point: ``gunicorn wsgi:app`` (configuration from LMS_* variables)."""

from lms import create_app

app = create_app()
