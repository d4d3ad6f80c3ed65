"""The dashboard and JSON API (FastAPI + Jinja); each page and its JSON come from one view."""
