"""Commands about documents: render, summary, templates. Thin: the work is in render.py."""

import functools
import sys
from pathlib import Path

import typer

from ..resources import DOC_CHOICES
from ._app import ID_ARG, app, console, state


@app.command()
def render(
    ctx: typer.Context,
    meeting_id: str = ID_ARG,
    doc: str = typer.Option("all", "--doc", help=f"Which document: {DOC_CHOICES}."),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Folder to write to (default: documents.out in the config, else this folder).",
        show_default=False,
    ),
    pdf: bool = typer.Option(False, "--pdf", help="Also convert to PDF (needs LibreOffice)."),
    family: bool = typer.Option(
        False,
        "--family",
        help="A version to share with the family: leaves out what is withheld from them.",
    ),
) -> None:
    """Write the Decision Sheet, minutes and action summary as Word documents.

    File names hold the reference, the document and the date, never a child's name.
    Authorised records can be rendered at any time.

    Example:  strat render SD-2026-0001 --doc minutes --out ./minutes --pdf
    """
    from ..resources import expand_docs

    st = state(ctx)
    docs = expand_docs([doc])
    conversion = None
    if pdf:  # first: LibreOffice's start-up then overlaps strat's own and the render
        from ..pdf import Conversion

        conversion = Conversion(docs, st.settings.store / "tmp")
    try:
        from ..render import render_stored

        out_dir = out or st.settings.out_dir or Path.cwd()
        render = functools.partial(
            render_stored,
            st.store,
            st.settings,
            meeting_id,
            docs,
            out_dir,
            family=family,
            pdf=pdf,
            conversion=conversion,
        )
        if len(docs) > 1 and sys.stderr.isatty():
            from rich.progress import Progress

            with Progress(console=console(stderr=True), transient=True) as progress:
                task = progress.add_task("Rendering", total=len(docs))

                def step(name: str) -> None:
                    progress.update(
                        task, description=f"Rendering {name}", completed=docs.index(name)
                    )

                paths = render(on_doc=step)
        else:
            paths = render()
    finally:
        if conversion is not None:
            conversion.close()
    for path in paths:
        typer.echo(str(path))


@app.command()
def summary(
    ctx: typer.Context,
    meeting_id: str = ID_ARG,
) -> None:
    """Print the action summary as plain text (Markdown), ready to paste into an email.

    Actions by due time with owners, each decision in a line, and the next deadlines.

    Example:  strat summary SD-2026-0001 | clip
    """
    from ..render import print_summary
    from ..safetext import for_screen

    st = state(ctx)
    sys.stdout.write(for_screen(print_summary(st.store, st.settings, meeting_id)))


@app.command()
def templates(
    ctx: typer.Context,
    copy: Path | None = typer.Option(
        None,
        "--copy",
        metavar="DIR",
        help="Copy the shipped templates into DIR to edit them in Word.",
        show_default=False,
    ),
    force: bool = typer.Option(False, "--force", help="With --copy: replace existing copies."),
) -> None:
    """List the Word templates in use (shipped or your council's), or copy them out to edit.

    Point [documents] templates in config.toml at the folder; a file there replaces the
    shipped one of the same name. Your council's templates are checked for what screen-reader
    users need: a title, a language, headings in order, no merged cells, and alternative text
    on every image (a letterhead logo); each gap is a warning.

    Example:  strat templates --copy ./strat-templates
    """
    from ..templates import copy_templates, list_templates

    st = state(ctx)
    if copy is not None:
        for path in copy_templates(copy, force=force):
            typer.echo(str(path))
        typer.echo(
            f'Edit them in Word, then set [documents] templates = "{copy.resolve()}" in '
            f"{st.settings.config_path or 'config.toml'}",
            err=True,
        )
        return
    from rich.table import Table

    table = Table(title="Templates", title_justify="left")
    for col in ("document", "in use", "file"):
        table.add_column(col, overflow="fold")
    infos = list_templates(st.settings)
    for info in infos:
        table.add_row(info.doc, info.source, str(info.path))
    console(markup=False).print(table)  # paths are the user's
    from ..accessible import problems

    for info in infos:
        if info.source == "local":  # the shipped ones are checked by strat's own tests
            for problem in problems(info.path):
                typer.echo(f"Warning: {info.path.name} {problem}", err=True)
    if st.settings.templates_dir is None:
        console().print(
            "No local templates folder configured ([documents] templates).", markup=False
        )
    else:
        console().print(f"Local templates folder: {st.settings.templates_dir}", markup=False)
