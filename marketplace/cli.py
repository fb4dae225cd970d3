"""Flask CLI commands: demo data and the demo logins."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import func, select

from marketplace.extensions import db


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
