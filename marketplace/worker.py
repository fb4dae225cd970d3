"""The Celery worker and beat: ``celery -A marketplace.worker worker`` and
``celery -A marketplace.worker beat`` (or ``worker -B`` for both in one process).

They read the same environment as the web app (``CELERY_BROKER_URL`` names the broker).
"""

from dotenv import load_dotenv

load_dotenv()

from marketplace import create_app  # noqa: E402 - the environment must be loaded first

flask_app = create_app()
celery = flask_app.extensions["celery_app"]
