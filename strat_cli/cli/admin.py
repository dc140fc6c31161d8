"""The team store's administration (issue 16): `strat admin init`, `migrate`, `add-user`.

Run by the database owner against the server in `[store] url` (or STRAT_STORE)."""

import typer

from ._app import app, state

admin_app = typer.Typer(
    name="admin",
    help=(
        "Set up the team's PostgreSQL store: the schema, its roles and who may sign in "
        "(run by the database owner).\n\n"
        'Example:  strat admin add-user dokafor --name "Dana Okafor" --role manager'
    ),
    no_args_is_help=True,
)
app.add_typer(admin_app)


def _url(ctx: typer.Context) -> str:
    from ..errors import StratError

    url = state(ctx).settings.store_url
    if not url:
        raise StratError(
            "strat admin works on the team's server: set [store] url in config.toml "
            "(or STRAT_STORE) to postgresql://host/database"
        )
    return url


@admin_app.command("init")
def init(ctx: typer.Context) -> None:
    """Create the schema, the three roles (strat_reader, strat_member, strat_manager) and the
    functions every write goes through. Safe to run again.

    Example:  STRAT_STORE=postgresql://db.council.example/strat strat admin init
    """
    from ..pgstore import LATEST, migrate, where_of

    url = _url(ctx)
    applied = migrate(url, create_roles=True)
    done = f"applied {', '.join(applied)}" if applied else "already set up"
    typer.echo(f"{where_of(url)}: strat schema version {LATEST} ({done}).")


@admin_app.command("migrate")
def migrate_command(ctx: typer.Context) -> None:
    """Bring the server's schema up to this strat's version (each migration once, in order).

    Example:  strat admin migrate
    """
    from ..pgstore import LATEST, migrate, where_of

    url = _url(ctx)
    applied = migrate(url)
    done = f"applied {', '.join(applied)}" if applied else "nothing to do"
    typer.echo(f"{where_of(url)}: strat schema version {LATEST} ({done}).")


@admin_app.command("add-user")
def add_user_command(
    ctx: typer.Context,
    login: str = typer.Argument(..., help="The database login (created if missing)."),
    name: str = typer.Option(..., "--name", help="The name the audit trail shows."),
    role: str = typer.Option(
        "member", "--role", help="reader (list, show), member (write drafts), manager (authorise)."
    ),
) -> None:
    """Let a login use strat: its role, and the display name the audit trail gives it. The
    password (if any) is set outside strat: strat never holds one.

    Example:  strat admin add-user dokafor --name "Dana Okafor" --role manager
    """
    from ..pgstore import add_user

    made = add_user(_url(ctx), login, name, role)
    typer.echo(f"{login}: {role}{' (login created)' if made else ''}, shown as {name.strip()}.")
