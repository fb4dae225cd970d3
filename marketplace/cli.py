"""Flask CLI commands: demo data, reference data, accounts, jobs by hand, backups."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from sqlalchemy import func, select

from marketplace.extensions import db


def _run_backup_step(step, folder: Path) -> dict:
    import subprocess

    from marketplace.core.backup import BackupError

    try:
        return step(folder)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    except subprocess.CalledProcessError as error:
        detail = (error.stderr or b"").decode(errors="replace").strip()[-2000:]
        raise click.ClickException(f"{error.cmd[0]} failed: {detail}") from error


def register_commands(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only when the database has no stores yet.")
    def seed_demo_command(if_empty: bool) -> None:
        """Load the demo Kampung Kuliner (idempotent)."""
        from marketplace.demo.seed import seed_demo
        from marketplace.stores.models import Store

        if if_empty and db.session.scalar(select(func.count(Store.id))):
            click.echo("Database already has stores: demo data not loaded.")
            return
        result = seed_demo()
        db.session.commit()
        click.echo(
            f"Demo data loaded: {result['stores_created']} stores created, "
            f"{result['products']} products in the catalog."
        )

    @app.cli.command("seed-areas")
    def seed_areas_command() -> None:
        """Load Kota Tangerang's kecamatan and kelurahan, and the starting culinary categories
        (idempotent: what is there is kept)."""
        from marketplace.areas.services import seed_areas
        from marketplace.catalog.models import Category
        from marketplace.demo.seed import seed_categories

        added = seed_areas()
        before = db.session.scalar(select(func.count(Category.id)))
        categories = len(seed_categories()) - before
        db.session.commit()
        click.echo(f"{added} kelurahan and {categories} categories added.")

    @app.cli.command("database-settings")
    def database_settings_command() -> None:
        """Set on the PostgreSQL database the settings each connection otherwise brings with
        it (statement timeout, the typo search's thresholds): for a pooler in transaction mode
        (DATABASE_POOLER=transaction), which cannot pass them on. Run it after migrations."""
        from marketplace.config import database_settings
        from marketplace.core.postgresql import set_on_database

        if db.engine.dialect.name != "postgresql":
            raise click.ClickException("database-settings is for PostgreSQL only.")
        with db.engine.connect() as connection:
            done = set_on_database(connection, database_settings(app.config))
            connection.commit()
        for statement in done:
            click.echo(statement)
        click.echo("New connections get these settings; restart the pooler to renew its own.")

    @app.cli.command("backup")
    @click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
    def backup_command(folder: Path) -> None:
        """Save the database and the uploads into FOLDER (new), with a manifest."""
        from marketplace.core.backup import make_backup

        manifest = _run_backup_step(make_backup, folder)
        click.echo(
            f"Backed up {manifest['database']} (schema {manifest['schema_revision']}, "
            f"{sum(manifest['rows'].values())} rows) and the uploads into {folder}."
        )

    @app.cli.command("restore")
    @click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.confirmation_option(
        prompt="This replaces the configured database and uploads folder. Go on?"
    )
    def restore_command(folder: Path) -> None:
        """Replace the database and the uploads with the backup in FOLDER, then check it."""
        from marketplace.core.backup import restore_backup

        manifest = _run_backup_step(restore_backup, folder)
        click.echo(
            f"Restored the backup of {manifest['made_at']}: every table holds the rows the "
            "manifest lists."
        )

    @app.cli.command("create-city-admin")
    @click.option("--name", prompt="Name")
    @click.option("--phone", prompt="WhatsApp number")
    @click.option("--email", default="", help="Optional e-mail address.")
    @click.password_option()
    def create_city_admin_command(name: str, phone: str, email: str, password: str) -> None:
        """Create the city admin (Diskominfo) account."""
        from marketplace.accounts.models import Role
        from marketplace.accounts.services import SignUpData, register_user
        from marketplace.core.errors import DomainError

        try:
            user = register_user(SignUpData(name=name, phone=phone, password=password, email=email))
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        user.role = Role.CITY_ADMIN
        db.session.commit()
        click.echo(f"City admin {user.name} ({user.phone}) created.")

    orders_cli = click.Group("orders", help="Order maintenance (run on a schedule).")

    @orders_cli.command("sweep")
    def sweep_command() -> None:
        """Expire unpaid card orders and reject orders left unanswered."""
        from marketplace.core.jobs import run_after_commit
        from marketplace.orders.services import sweep

        result = sweep()
        db.session.commit()
        run_after_commit()  # void the cancelled orders' cards
        click.echo(", ".join(f"{name}: {count}" for name, count in result.items()))

    app.cli.add_command(orders_cli)

    payments_cli = click.Group("payments", help="Card payment maintenance.")

    @payments_cli.command("reconcile")
    @click.option(
        "--minutes",
        default=15,
        show_default=True,
        help="Check orders waiting on payment longer than this.",
    )
    def reconcile_command(minutes: int) -> None:
        """Finish what crashes and lost webhooks left: lost intents, unsettled money."""
        from marketplace.payments.services import reconcile

        checked = reconcile(minutes)
        db.session.commit()
        click.echo(f"checked: {checked}")

    app.cli.add_command(payments_cli)

    outbox_cli = click.Group("outbox", help="Messages waiting to be delivered.")

    @outbox_cli.command("flush")
    def flush_command() -> None:
        """Deliver the messages that are due (beat does this every minute)."""
        from marketplace.outbox.services import flush

        click.echo(f"tried: {flush()}")

    app.cli.add_command(outbox_cli)

    push_cli = click.Group("push", help="Web Push.")

    @push_cli.command("keys")
    def keys_command() -> None:
        """Print a new VAPID key pair for VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY."""
        from marketplace.push.services import generate_keys

        private, public = generate_keys()
        click.echo(f"VAPID_PRIVATE_KEY={private}\nVAPID_PUBLIC_KEY={public}")

    app.cli.add_command(push_cli)

    @app.cli.command("demo-logins")
    def demo_logins_command() -> None:
        """Print the demo accounts."""
        from marketplace.demo.seed import demo_logins

        click.echo("\nPasar Kampung Kuliner is at http://127.0.0.1:5000\nDemo logins:")
        for label, login, password in demo_logins():
            click.echo(f"  {label:<40} {login}  /  {password}")
        click.echo("")
