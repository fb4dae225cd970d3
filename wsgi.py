"""WSGI entry point: ``gunicorn wsgi:app``."""

import gc

from dotenv import load_dotenv

load_dotenv()

from marketplace import create_app  # noqa: E402 - the environment must be loaded first

app = create_app()
# What the app is made of (its modules, routes, templates, mappers: ~200,000 objects) lives as
# long as the worker: moved out of the collector's reach, it is not walked again by each full
# collection, which took ~0.1 s every thousand or so pages and ~0.1 ms a page on average.
gc.freeze()
