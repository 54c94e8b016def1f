"""Correction commands (`etl correct …`, `etl review`): thin click wrappers over etl.api.

`etl correct KIND …` writes one correction to a file of the corrections folder (what a person could write by
hand); `etl review` lists what most needs a person and round-trips it through a CSV file.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from etl.cli_options import DB_HELP, EXIT_USAGE, api, corrections_option, failures, format_option


def print_correction_summary(s) -> None:
    """The run summary's corrections line, and every orphaned correction (never dropped silently)."""
    version = f"version {s.corrections_version[:12]}" if s.corrections_version else "no corrections folder"
    click.echo(f"corrections  {s.corrections_applied} applied, {s.corrections_orphaned} orphaned, "
               f"{s.corrections_pending} pending ({version})")
    for where, kind, target, detail in s.orphaned[:20]:
        click.echo(f"orphaned  {where}  {kind} {target}: {detail}")
    if len(s.orphaned) > 20:
        click.echo(f"orphaned  … and {len(s.orphaned) - 20} more: see the corrections table")


def _options(func):
    func = corrections_option("The corrections folder. Default: $ETL_CORRECTIONS_DIR, else ./corrections.")(func)
    func = click.option("--file", "file", metavar="NAME", default=None,
                        help="The file of the folder to add to (default corrections.yaml).")(func)
    func = click.option("--note", default=None, help="Why (kept with the correction).")(func)
    func = click.option("--db", "db_url", metavar="URL", default=None,
                        help=DB_HELP + " Used to name a document given by id, path or sha256 by both its path "
                                       "and sha256.")(func)
    return click.option("--any-version", is_flag=True,
                        help="Name the document by path only: the correction then also holds after the file "
                             "changes (as long as its figure is still there).")(func)


def _write(specs: list[dict[str, Any]], corrections_dir, file, db_url) -> None:
    etl_api = api()
    try:
        path, added = etl_api.correct(specs, corrections_dir, file, db_url=db_url)
    except etl_api.CorrectionError as exc:
        click.echo(f"etl correct: {exc} (nothing was written)", err=True)
        sys.exit(EXIT_USAGE)
    if not added:
        click.echo(f"{path} already says so: nothing added")
        return
    for c in added:
        click.echo(f"added to {path}: {c.kind} {c.describe()}")
    click.echo("`etl run` applies it")


def _spec(kind: str, document: str | None, note: str | None, **values: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"kind": kind}
    if document is not None:
        spec["document"] = document
    spec.update({k: v for k, v in values.items() if v is not None})
    if note:
        spec["note"] = note
    return spec


def _unpinned(specs: list[dict[str, Any]], any_version: bool) -> list[dict[str, Any]]:
    if not any_version:
        return specs
    return [{k: v for k, v in s.items() if k not in ("sha256", "duplicate_of_sha256")} for s in specs]


def _do(kind: str, document, note, any_version, corrections_dir, file, db_url, **values) -> None:
    spec = _spec(kind, document, note, **values)
    if any_version and db_url is not None:
        etl_api = api()
        try:
            spec = _unpinned(etl_api.pin([spec], db_url), True)[0]
        except etl_api.CorrectionError as exc:
            click.echo(f"etl correct: {exc} (nothing was written)", err=True)
            sys.exit(EXIT_USAGE)
        db_url = None
    _write([spec], corrections_dir, file, db_url)


@click.group("correct")
def correct_group() -> None:
    """Write a correction to the corrections folder; the next `etl run` applies it, and every run after.

    DOCUMENT is the document's source_path, its sha256, or (with --db) its id in the database. With --db
    the correction names the document by path and sha256: it holds while the file's bytes are those.
    """


_figure = [click.argument("document"), click.argument("raw_text"),
           click.option("--occurrence", type=click.IntRange(min=0), default=None,
                        help="Which place of RAW_TEXT in the text (0: a figure only in the title). Default: "
                             "with --db, the place the database reads the figure at; else 1.")]


def _figure_args(func):
    for decorator in reversed(_figure):
        func = decorator(func)
    return func


@correct_group.command("suppress-metric")
@_figure_args
@_options
def suppress_metric_command(document, raw_text, occurrence, **common) -> None:
    """RAW_TEXT in DOCUMENT is not a figure: leave it out of metrics."""
    _do("suppress_metric", document, raw_text=raw_text, occurrence=occurrence, **_common(common))


@correct_group.command("set-metric")
@_figure_args
@click.option("--indicator", help="Indicator code (etl/rules/indicators.csv), or null.")
@click.option("--agency", help="Canonical agency name, or null.")
@click.option("--value", help="Value in base units (yuan for CNY).")
@click.option("--value-max", help="Upper bound of a range, or null.")
@click.option("--unit", help="CNY, %, or the measure word (起, 家 …).")
@click.option("--qualifier", help="exact, approx, more_than, at_least, less_than, at_most or range.")
@click.option("--period-start", help="YYYY-MM-DD, or null.")
@click.option("--period-end", help="YYYY-MM-DD, or null.")
@click.option("--cumulative/--not-cumulative", default=None, help="A running total, or not.")
@click.option("--on-topic/--off-topic", default=None, help="About medical-insurance supervision, or not.")
@_options
def set_metric_command(document, raw_text, occurrence, indicator, agency, value, value_max, unit, qualifier,
                       period_start, period_end, cumulative, on_topic, **common) -> None:
    """Set fields of the figure RAW_TEXT in DOCUMENT."""
    _do("set_metric", document, raw_text=raw_text, occurrence=occurrence, indicator=indicator, agency=agency,
        value=value, value_max=value_max, unit=unit, qualifier=qualifier, period_start=period_start,
        period_end=period_end, cumulative=cumulative, on_topic=on_topic, **_common(common))


@correct_group.command("accept")
@click.argument("document")
@click.argument("raw_text", required=False)
@click.option("--occurrence", type=click.IntRange(min=0), default=None,
              help="Which place of RAW_TEXT in the text (0: a figure only in the title). Default: with --db, "
                   "the place the database reads the figure at; else 1.")
@_options
def accept_command(document, raw_text, occurrence, **common) -> None:
    """The figure RAW_TEXT (or, without it, the document) is right as extracted: take it off the review queue."""
    _do("accept", document, raw_text=raw_text, occurrence=occurrence if raw_text else None, **_common(common))


@correct_group.command("set-document")
@click.argument("document")
@click.option("--title", help="The title.")
@click.option("--date", help="Publication date, YYYY-MM-DD (Beijing), or null.")
@click.option("--source", help="Publisher of this copy, or null.")
@click.option("--source-kind", type=click.Choice(["media", "wire", "government", "other"]),
              help="Its kind, when the source is new.")
@click.option("--original-source", help="Outlet that first published it, or null.")
@click.option("--on-topic/--off-topic", default=None, help="About medical-insurance fund supervision, or not.")
@_options
def set_document_command(document, title, date, source, source_kind, original_source, on_topic, **common) -> None:
    """Set DOCUMENT's title, date, source or topic."""
    _do("set_document", document, title=title, date=date, source=source, source_kind=source_kind,
        original_source=original_source, on_topic=on_topic, **_common(common))


@correct_group.command("alias")
@click.argument("alias")
@click.argument("name")
@click.option("--level", required=True, type=click.Choice(["national", "provincial", "prefectural", "county",
                                                           "township"]), help="The agency's level.")
@click.option("--region", help="Its full region path (安徽省黄山市); not for national bodies.")
@click.option("--region-code", help="Six-digit division code of the region.")
@click.option("--in", "document", default=None, metavar="DOCUMENT",
              help="Only in this document (for a form such as 市医保局 that means another body elsewhere).")
@_options
def alias_command(alias, name, level, region, region_code, document, **common) -> None:
    """ALIAS, where a document writes it, names the agency NAME."""
    _do("agency_alias", document, alias=alias, name=name, level=level, region=region, region_code=region_code,
        **_common(common))


@correct_group.command("merge")
@click.argument("agency")
@click.argument("into")
@click.option("--level", type=click.Choice(["national", "provincial", "prefectural", "county", "township"]),
              help="INTO's level, when no document names it yet.")
@click.option("--region", help="INTO's region, when no document names it yet.")
@_options
def merge_command(agency, into, level, region, **common) -> None:
    """AGENCY is the same body as INTO: its mentions and figures become INTO's."""
    _do("merge_agencies", None, agency=agency, into=into, level=level, region=region, **_common(common))


@correct_group.command("link")
@click.argument("document")
@click.argument("duplicate_of")
@_options
def link_command(document, duplicate_of, **common) -> None:
    """DOCUMENT is a copy of the story DUPLICATE_OF tells."""
    _do("link_duplicate", document, duplicate_of=duplicate_of, **_common(common))


@correct_group.command("unlink")
@click.argument("document")
@click.argument("duplicate_of", required=False)
@_options
def unlink_command(document, duplicate_of, **common) -> None:
    """DOCUMENT is not a copy of DUPLICATE_OF (without it: of anything)."""
    _do("unlink_duplicate", document, duplicate_of=duplicate_of, **_common(common))


def _common(common: dict[str, Any]) -> dict[str, Any]:
    keys = ("note", "any_version", "corrections_dir", "file", "db_url")
    return {k: common[k] for k in keys}


@correct_group.command("list")
@corrections_option("The corrections folder. Default: $ETL_CORRECTIONS_DIR, else ./corrections.")
@click.option("--db", "db_url", metavar="URL", default=None, help="Also show each one's status in this database.")
def list_command(corrections_dir, db_url) -> None:
    """Check the corrections folder and list its corrections (with --db: as the last run found them)."""
    etl_api = api()
    try:
        rows = etl_api.list_corrections(corrections_dir, db_url)
    except etl_api.CorrectionError as exc:
        click.echo(f"etl correct list: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    for c, status, detail in rows:
        state = f"  [{status}{': ' + detail if detail else ''}]" if status else ""
        click.echo(f"{c.where}  {c.kind} {c.describe()}{state}")
    click.echo(f"{len(rows)} corrections")


@click.command("review")
@click.option("--db", "db_url", metavar="URL", default=None, help="The database (see etl run --help).")
@click.option("--issue", "issues", multiple=True, metavar="NAME",
              help="Only these issues (repeatable): conflicting_figure, missing_agency, missing_indicator, "
                   "unresolved_agency, agency_by_fallback, missing_date, missing_source.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many items.")
@format_option(help="Output format of the list.")
@click.option("--export", "export_path", type=click.Path(dir_okay=False), default=None, metavar="FILE.csv",
              help="Write the queue to a CSV file with empty columns for the fixes.")
@click.option("--import", "import_path", type=click.Path(dir_okay=False, exists=True), default=None,
              metavar="FILE.csv", help="Turn an edited export into corrections in the corrections folder.")
@corrections_option("Where --import writes. Default: $ETL_CORRECTIONS_DIR, else ./corrections.")
def review_command(db_url, issues, limit, fmt, export_path, import_path, corrections_dir) -> None:
    """List what most needs a person: conflicting figures, figures without an indicator or agency or whose
    agency is a fallback, agency mentions with no place, documents without a date or source.

    \b
    The round trip:
      etl review --export review.csv        # fill in suppress / accept / set_… / alias_… columns
      etl review --import review.csv        # -> corrections/review.yaml (checked; exit 2 on a mistake)
      etl run …                             # applies them; the rows leave the queue
    """
    etl_api = api()
    if import_path:
        try:
            path, added = etl_api.review_import(import_path, corrections_dir)
        except etl_api.CorrectionError as exc:
            click.echo(f"etl review --import: {exc} (nothing was written)", err=True)
            sys.exit(EXIT_USAGE)
        click.echo(f"{len(added)} corrections added to {path}" if added else f"nothing new for {path}")
        return
    with failures("etl review"):
        if export_path:
            count = etl_api.review_export(export_path, db_url, list(issues) or None, limit)
        else:
            items = etl_api.review(db_url, list(issues) or None, limit)
    if export_path:
        click.echo(f"wrote {count} items to {export_path}")
        return
    columns = ["priority", "issue", "document", "raw_text", "occurrence", "agency", "indicator", "detail"]
    click.echo(etl_api.render(columns, [tuple(getattr(i, c) for c in columns) for i in items], fmt))


def register(cli: click.Group) -> None:
    cli.add_command(correct_group)
    cli.add_command(review_command)
