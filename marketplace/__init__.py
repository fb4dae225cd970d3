"""Pasar Kampung Kuliner: the application factory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from marketplace.config import (
    check_production,
    database_binds,
    engine_options,
    load_config,
    trusted_hosts,
)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error pages, commands, helpers."""
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    app.config.update(load_config())
    if config:
        app.config.update(config)
    check_production(app.config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    app.config["SQLALCHEMY_BINDS"] = database_binds(app.config)
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    from marketplace.core.metrics import ServerTiming
    from marketplace.core.pagecache import AnonymousHits

    app.wsgi_app = ServerTiming(AnonymousHits(app.wsgi_app, app))
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        # The embedded default lives under instance/; SQLite cannot create the folder itself.
        Path(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///") :]).parent.mkdir(
            parents=True, exist_ok=True
        )
    app.logger.setLevel(logging.INFO)
    from marketplace.core.logs import init_logging

    init_logging(app)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_cli(app)
    register_template_helpers(app)
    register_jobs(app)
    return app


def register_jobs(app: Flask) -> None:
    """Celery for the registered tasks (the domains' services are imported by now)."""
    from marketplace.core.jobs import init_celery

    app.extensions["celery_app"] = init_celery(app)


def register_extensions(app: Flask) -> None:
    from marketplace.core.locale import select_locale
    from marketplace.core.postgresql import configure_postgresql
    from marketplace.core.sqlite import configure_sqlite
    from marketplace.extensions import babel, compress, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
        for engine in db.engines.values():  # the primary and the replica
            configure_postgresql(engine)
    from marketplace.core.readonly import init_read_only_commit

    init_read_only_commit(app)  # after db.init_app: its teardown runs before the session's
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    compress.init_app(app)

    from marketplace.core.metrics import init_metrics

    init_metrics(app)
    from marketplace.core.pagecache import init_page_cache

    init_page_cache(app)

    from marketplace.accounts.services import load_user

    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    from flask_babel import lazy_gettext

    login_manager.login_message = lazy_gettext("Silakan masuk terlebih dahulu.")


def register_blueprints(app: Flask) -> None:
    from marketplace.core.inputs import register_input_guard

    register_input_guard(app)  # the bounded int converter must exist before any URL rule

    from marketplace.accounts.routes import bp as accounts_bp
    from marketplace.areas.routes import bp as areas_bp
    from marketplace.books.credit_routes import bp as credit_bp
    from marketplace.books.routes import bp as books_bp
    from marketplace.catalog.admin_routes import bp as categories_bp
    from marketplace.catalog.routes import bp as catalog_bp
    from marketplace.catalog.seller_routes import bp as products_bp
    from marketplace.events.routes import bp as events_bp
    from marketplace.institutions.routes import bp as institutions_bp
    from marketplace.kim.announcement_routes import bp as announcements_bp
    from marketplace.kim.aspiration_routes import bp as aspirations_bp
    from marketplace.kim.impact_routes import bp as impact_bp
    from marketplace.kim.routes import bp as kim_bp
    from marketplace.kim.training_routes import bp as trainings_bp
    from marketplace.main.routes import bp as main_bp
    from marketplace.orders.routes import bp as orders_bp
    from marketplace.orders.seller_routes import bp as order_board_bp
    from marketplace.outbox.routes import bp as outbox_bp
    from marketplace.payments.manual_routes import bp as manual_pay_bp
    from marketplace.payments.routes import bp as payments_bp
    from marketplace.promotions.campaign_routes import bp as campaigns_bp
    from marketplace.promotions.routes import bp as promotions_bp
    from marketplace.promotions.routes import follow_bp
    from marketplace.push.routes import bp as push_bp
    from marketplace.reviews.routes import bp as reviews_bp
    from marketplace.stores.routes import bp as stores_bp

    for blueprint in (
        main_bp,
        accounts_bp,
        areas_bp,
        stores_bp,
        catalog_bp,
        products_bp,
        categories_bp,
        kim_bp,
        orders_bp,
        order_board_bp,
        payments_bp,
        manual_pay_bp,
        institutions_bp,
        promotions_bp,
        announcements_bp,
        aspirations_bp,
        trainings_bp,
        follow_bp,
        campaigns_bp,
        events_bp,
        reviews_bp,
        books_bp,
        credit_bp,
        impact_bp,
        outbox_bp,
        push_bp,
    ):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from marketplace.core.errors import register_errorhandlers as register

    register(app)


def register_cli(app: Flask) -> None:
    from marketplace.cli import register_commands

    register_commands(app)


def register_template_helpers(app: Flask) -> None:
    from marketplace.core.templating import register

    register(app)
