"""Reporting commands (`etl report`, `etl check`, `etl search`, `etl search-index`, `etl db grant-reader`,
`etl datasette`).

Thin click wrappers over etl.api, which a notebook calls the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from etl.cli_options import EXIT_ERROR, EXIT_OK, EXIT_USAGE, api, failures, format_option, wait_option
from etl.cli_options import db_option as _db_option


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r}: write KEY=VALUE", param_hint="--param")
        params[key.strip()] = value
    return params


def _chart_options(func):
    """--chart FILE and the columns a chart draws (etl/reporting/chart.py)."""
    options = [
        click.option("--chart", "chart_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     metavar="FILE.svg", help="Write the rows as an SVG line chart to FILE (as --format chart)."),
        click.option("--x", "x_column", metavar="COLUMN", default=None,
                     help="Chart: the x column (default: the report's time column)."),
        click.option("--y", "y_column", metavar="COLUMN", default=None,
                     help="Chart: the y column (default: its first numeric column)."),
        click.option("--series", "series_column", metavar="COLUMN", default=None,
                     help="Chart: one line per value of this column."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.command("report")
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="A value for one of the report's :parameters (repeatable).")
@click.option("--format", "fmt", type=click.Choice(("table", "csv", "json", "chart")), default="table",
              show_default=True, help="Output format; chart prints an SVG line chart of a series report.")
@_chart_options
@click.option("--list", "list_reports", is_flag=True, help="List the reports with their titles.")
@_db_option
def report_command(name, params, fmt, chart_file, x_column, y_column, series_column, list_reports, db_url) -> None:
    """Run the report NAME from sql/ (a file NAME.sql) and print its rows.

    \b
    Examples:
      etl report --list
      etl report funds_recovered_by_agency_year --format csv
      etl report document_metrics --param document_id=1
      etl report funds_recovered_by_agency_year --chart funds.svg
    """
    etl_api = api()
    render = etl_api.render
    if list_reports or not name:
        reports = etl_api.reports()
        if fmt != "table":
            rows = [(r.name, r.title, r.description, ", ".join(f"{p.name} ({p.type})" for p in r.params))
                    for r in reports]
            click.echo(render(["name", "title", "description", "params"], rows, fmt))
            return
        width = max((len(r.name) for r in reports), default=0)
        for r in reports:
            needs = " (" + ", ".join(f"{p.name}: {p.type}" for p in r.params) + ")" if r.params else ""
            click.echo(f"{r.name:<{width}}  {r.title}{needs}")
        if not list_reports:
            click.echo("\nRun one with: etl report NAME [--param KEY=VALUE ...] [--format table|csv|json]")
        return
    with failures("etl report"):
        report, result = etl_api.report(name, _parse_params(params), db_url)
    if fmt == "chart" or chart_file:
        _write_chart(report, result, chart_file, x_column, y_column, series_column)
        return
    click.echo(render(result.columns, result.rows, fmt))


def _write_chart(report, result, chart_file: Path | None, x: str | None, y: str | None, series: str | None) -> None:
    """Print the report's rows as SVG, or write them to chart_file."""
    if chart_file and chart_file.suffix.lower() != ".svg":
        click.echo(f"etl report: --chart {chart_file}: charts are SVG; name the file *.svg (browsers, Word and "
                   f"LibreOffice open it; rsvg-convert makes a PNG of it)", err=True)
        sys.exit(EXIT_USAGE)
    with failures("etl report"):
        image = api().report_chart(report, result, x, y, series)
    if chart_file is None:
        click.echo(image, nl=False)
        return
    try:
        chart_file.write_text(image, encoding="utf-8")
    except OSError as exc:
        click.echo(f"etl report: cannot write {chart_file}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(f"wrote {chart_file}")


@click.command("check")
@click.argument("names", nargs=-1)
@_db_option
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="Failing rows printed per check.")
def check_command(names, db_url, limit) -> None:
    """Run the data checks in sql/checks/ (or only NAMES) and print the rows that break a rule.

    Exit status 0 when every check passes, 1 when any returns rows.
    """
    etl_api = api()
    with failures("etl check"):  # a typo in NAMES is named (exit 2) before the database is opened
        outcomes = etl_api.check(names, db_url)
    failed = [o for o in outcomes if not o.passed]
    for outcome in outcomes:
        mark = "ok  " if outcome.passed else "FAIL"
        count = "" if outcome.passed else f"  ({len(outcome.result.rows)} rows)"
        click.echo(f"{mark}  {outcome.check.name}: {outcome.check.title}{count}")
    for outcome in failed:
        click.echo(f"\n{outcome.check.name}: {outcome.check.description}")
        click.echo(etl_api.as_table(outcome.result.columns, outcome.result.rows[:limit]))
    click.echo(f"\n{len(outcomes) - len(failed)} of {len(outcomes)} checks passed")
    sys.exit(EXIT_ERROR if failed else EXIT_OK)


@click.command("search")
@click.argument("words", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Documents to show at most.")
@format_option()
@_db_option
def search_command(words, limit, fmt, db_url) -> None:
    """Find active documents whose title or text contains every one of WORDS (works for Chinese, whose
    words need no spaces: 骗保, 追回医保基金, 医保 基金)."""
    etl_api = api()
    with failures("etl search"):
        hits = etl_api.search(words, limit, db_url)
    click.echo(etl_api.render(etl_api.SEARCH_COLUMNS, [h.as_row() for h in hits], fmt))


@click.group("search-index", invoke_without_command=True)
@_db_option
@click.pass_context
def search_index_group(ctx, db_url) -> None:
    """Turn the search index on or off (off by default); without a command, say which it is.

    \b
    On: `etl search`, the search report and Datasette's search box read a trigram
        index (SQLite FTS5, PostgreSQL pg_trgm), fast on any number of documents;
        every load also indexes what it adds, which makes loads slower.
    Off: searches read every document, slower as the corpus grows.
    Enabling it before or after a big first load costs about the same.
    """
    ctx.ensure_object(dict)
    ctx.obj["db_url"] = db_url
    if ctx.invoked_subcommand is None:
        ctx.invoke(search_index_status_command, db_url=db_url)


def _group_db(ctx, db_url: str | None) -> str | None:
    """--db given after the subcommand, else before it (etl search-index --db X enable)."""
    return db_url or (ctx.obj or {}).get("db_url")


@search_index_group.command("status")
@_db_option
@click.pass_context
def search_index_status_command(ctx, db_url) -> None:
    """Say whether the search index is on."""
    etl_api = api()
    SearchIndex = etl_api.SearchIndex
    with failures("etl search-index"):
        state = etl_api.search_index_status(_group_db(ctx, db_url))
    hint = {SearchIndex.ON: "etl search-index disable drops it",
            SearchIndex.OFF: "etl search-index enable builds it"}.get(state, "")
    click.echo(f"search index: {state.value}" + (f" ({hint})" if hint else ""))


def _switch(db_url: str | None, on: bool, wait_seconds: float) -> None:
    import time

    started = time.perf_counter()
    with failures("etl search-index"):
        changed = api().search_index(on, db_url, wait_seconds)
    word = "on" if on else "off"
    if changed:
        click.echo(f"search index {'built' if on else 'dropped'} in {time.perf_counter() - started:.1f}s: now {word}")
    else:
        click.echo(f"search index: already {word}")


@search_index_group.command("enable")
@wait_option
@_db_option
@click.pass_context
def search_index_enable_command(ctx, wait_seconds, db_url) -> None:
    """Build the search index over every document; later runs keep it in step."""
    _switch(_group_db(ctx, db_url), True, wait_seconds)


@search_index_group.command("disable")
@wait_option
@_db_option
@click.pass_context
def search_index_disable_command(ctx, wait_seconds, db_url) -> None:
    """Drop the search index: faster loads, searches read every document."""
    _switch(_group_db(ctx, db_url), False, wait_seconds)


@click.command("grant-reader")
@click.argument("name")
@click.option("--password", default=None, envvar="ETL_READER_PASSWORD", show_envvar=True,
              help="Login password for the role (else it can log in only where the server trusts it).")
@click.option("--statement-timeout", default="30s", show_default=True, help="Longest query the role may run.")
@click.option("--schema", default="public", show_default=True, help="Schema whose tables and views the role may read.")
@_db_option
def grant_reader_command(name, password, statement_timeout, schema, db_url) -> None:
    """Create or update NAME, a read-only PostgreSQL login for BI tools, on this database."""
    with failures("etl db grant-reader"):
        statements, url = api().grant_reader(name, password, schema, statement_timeout, db_url)
    for statement in statements:
        click.echo(statement)
    click.echo(f"read-only role {name} ready: connect BI tools as {url}")


@click.command("revoke-reader")
@click.argument("name")
@_db_option
def revoke_reader_command(name, db_url) -> None:
    """Remove NAME's privileges on this database and drop the role."""
    with failures("etl db revoke-reader"):
        api().revoke_reader(name, db_url)
    click.echo(f"role {name} dropped")


@click.group("datasette")
def datasette_group() -> None:
    """Browse a SQLite database in Datasette (optional extra: pip install 'yibao-etl[datasette]')."""


@datasette_group.command("metadata")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of printing.")
@click.option("--db", "db_url", metavar="URL", default=None,
              help="Read the database name, its search index and which views it has from this SQLite database "
                   "(else: the options below, and every view of the newest schema).")
@click.option("--database", default="etl", show_default=True,
              help="Datasette's name for the database: the file name without .db.")
@click.option("--search-index", is_flag=True,
              help="The database's search index is on (etl search-index enable).")
def datasette_metadata_command(output, db_url, database, search_index) -> None:
    """Print Datasette metadata: curated tables and views, canned queries from sql/, the dashboard.

    \b
    Serve it yourself with: datasette serve etl.db --metadata metadata.json
    (the yibao-etl plugin, installed with the package, applies the column order, search and labels).
    """
    import json

    etl_api = api()
    with failures("etl datasette metadata"):
        metadata = etl_api.datasette_metadata(db_url or None, database, search_index)
    if output:
        etl_api.write_datasette_metadata(output, metadata)
        click.echo(f"wrote {output}")
    else:
        click.echo(json.dumps(metadata, ensure_ascii=False, indent=2))


@datasette_group.command("serve")
@_db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address Datasette listens on.")
@click.option("--port", type=int, default=8001, show_default=True, help="Port Datasette listens on.")
def datasette_serve_command(db_url, host, port) -> None:
    """Serve the SQLite database in Datasette: curated pages, the sql/ reports and a dashboard.

    SIGTERM, SIGHUP and Ctrl-C end Datasette too and remove the temporary metadata; exit status 0 then.
    """
    etl_api = api()
    try:
        with failures("etl datasette serve"):
            status = etl_api.datasette_serve(db_url, host, port, lambda line: click.echo(line, err=True))
    except etl_api.DatasetteMissing as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(status)


def register(cli: click.Group, db_group: click.Group) -> None:
    """Attach the reporting commands to the `etl` group and its `db` subgroup."""
    cli.add_command(report_command)
    cli.add_command(check_command)
    cli.add_command(search_command)
    cli.add_command(search_index_group)
    cli.add_command(datasette_group)
    db_group.add_command(grant_reader_command)
    db_group.add_command(revoke_reader_command)
