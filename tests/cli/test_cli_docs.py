"""Every command and option explains itself in --help and is documented in the README, and the README's
examples (commands, the output they print, SQL and the rows it returns) are what the product does."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from etl.cli import cli
from tests.helpers import run_etl

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "etl") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
    return found


COMMANDS = _commands(cli)


@pytest.mark.parametrize("path,command", COMMANDS, ids=[p for p, _ in COMMANDS])
def test_command_has_help_and_is_in_readme(path, command):
    assert (command.help or "").strip(), f"{path} has no help text"
    result = CliRunner().invoke(cli, [*path.split()[1:], "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    assert path in README, f"README does not mention `{path}`"
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert (param.help or "").strip(), f"{path} {param.opts[0]} has no help text"
            assert any(opt in README for opt in param.opts), f"README does not mention {path} {param.opts[0]}"


def test_run_help_documents_the_exit_status():
    result = CliRunner().invoke(cli, ["run", "--help"])
    assert "Exit status" in result.output and "some files failed" in result.output


# --- the README's examples: what it shows a command printing is what the command prints ---------------------

REPO = Path(__file__).resolve().parents[2]
EXTRA = REPO / "tests" / "fixtures" / "reporting" / "extra"
SERIES = REPO / "tests" / "fixtures" / "reporting" / "series"
# In "Example queries", `<!-- example-db: PATH ... -->` names the folders the queries after it run on.
EXAMPLE_DB = re.compile(r"<!-- example-db: (.*?) -->")


def _section(start: str, end: str) -> str:
    return README[README.index(start):README.index(end, README.index(start))]


def _blocks(text: str, fence: str = "```") -> list[str]:
    """The bodies of the fenced blocks opened by fence (```console, ```sql …) in text."""
    return re.findall(re.escape(fence) + r"\n(.*?)```", text, re.S)


def _etl(etl_bin, *args: str, cwd: Path) -> str:
    result = run_etl(etl_bin, *args, cwd=cwd)
    assert result.returncode == 0 and "Traceback" not in result.stderr, f"etl {' '.join(args)}:\n{result.stderr}"
    return result.stdout


def test_readme_demo_output_is_what_make_demo_prints(etl_bin, tmp_path):
    """`make demo`: etl run seeds --db sqlite:///etl.db, then etl show; the README shows it abridged, so
    every line it shows must come out, in that order (the run's seconds aside)."""
    shown = _blocks(README[README.index("What `make demo` prints"):])[0].splitlines()
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    printed = (_etl(etl_bin, "run", "seeds", "--db", "sqlite:///etl.db", cwd=tmp_path)
               + _etl(etl_bin, "show", "--db", "sqlite:///etl.db", cwd=tmp_path)).splitlines()
    seconds = re.compile(r" in \d+\.\d+s ")
    lines = iter(seconds.sub(" in …s ", line) for line in printed)
    missing = [line for line in shown if seconds.sub(" in …s ", line) not in lines]
    assert not missing, "README's make demo lines not printed (in order):\n" + "\n".join(missing)


def _console(block: str) -> list[tuple[list[str], list[str]]]:
    """($ command as arguments, the lines shown after it) for each command of a console block."""
    return [(args, out) for args, out, _ in _console_excerpts(block)]


def _console_excerpts(block: str) -> list[tuple[list[str], list[str], bool]]:
    """As _console, with whether the command's comment says the lines shown are an excerpt ("some rows and
    columns"): then each shown column must be printed, and each shown row be a printed row's values there."""
    sessions: list[tuple[list[str], list[str], bool]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            command, _, comment = line[2:].partition("  #")
            sessions.append((shlex.split(command), [], "some rows and columns" in comment))
        elif sessions:
            sessions[-1][1].append(line)
    return [(args, [*_trim(out)], excerpt) for args, out, excerpt in sessions]


def _is_excerpt_of(shown: list[str], printed_csv: str) -> bool:
    """Every column of the shown header is printed; every shown row is a printed row read at those columns
    (the empty cells left out, as the table shows them)."""
    import csv
    import io

    wanted = shown[0].split()
    rows = list(csv.DictReader(io.StringIO(printed_csv)))
    if not rows or not set(wanted) <= set(rows[0]):
        return False
    projected = {tuple(row[c] for c in wanted if row[c] != "") for row in rows}
    return all(tuple(line.split()) in projected for line in shown[1:])


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


@pytest.mark.slow
def test_readme_report_examples_are_what_etl_prints(etl_bin, tmp_path):
    """The console session of the Reports section, on the database it names (the seeds plus the fixtures in
    tests/fixtures/reporting/extra/ and series/): every command runs, and prints exactly what is shown."""
    db = f"sqlite:///{tmp_path / 'etl.db'}"
    _etl(etl_bin, "run", str(REPO / "seeds"), str(EXTRA), str(SERIES), "--db", db, "-q", cwd=tmp_path)
    block = _blocks(_section("## Reports", "<!-- /section:reports -->"), "```console")[0]
    assert len(_console(block)) >= 3
    for args, shown, excerpt in _console_excerpts(block):
        assert args[0] == "etl"
        printed = _etl(etl_bin, *args[1:], *([] if "--list" in args else ["--db", db]), cwd=tmp_path)
        lines = [line.rstrip() for line in printed.splitlines()]
        if excerpt:
            as_csv = _etl(etl_bin, *args[1:], "--format", "csv", "--db", db, cwd=tmp_path)
            assert _is_excerpt_of(shown, as_csv), f"{' '.join(args)} prints no such rows and columns"
        elif shown:
            assert lines == shown, f"{' '.join(args)} prints otherwise"


def _cells(row) -> list[str]:
    from etl.reporting.render import plain

    return " ".join(str(plain(v)) for v in row if v is not None).split()


@pytest.mark.slow
def test_readme_example_queries_give_the_rows_shown(db_url, etl_bin, tmp_path):
    """Each SQL of "Example queries", on SQLite and PostgreSQL, returns the rows shown below it: the same values
    in each row, in the same order. The queries run on the seeds (the database make demo builds), those after an
    `<!-- example-db: … -->` line on the folders it names."""
    from sqlalchemy import create_engine, text

    section = _section("## Example queries", "<!-- section:reports -->")
    parts = EXAMPLE_DB.split(section)
    groups = [("seeds", parts[0])] + list(zip(parts[1::2], parts[2::2], strict=True))
    checked = 0
    for number, (folders, text_) in enumerate(groups):
        url = db_url if number == 0 else _another_database(db_url, tmp_path, number)
        _etl(etl_bin, "run", *[str(REPO / f) for f in folders.split()], "--db", url, "-q", cwd=tmp_path)
        engine = create_engine(url)
        try:
            for sql, shown in re.findall(r"```sql\n(.*?)```\n```\n(.*?)```", text_, re.S):
                with engine.connect() as conn:
                    result = conn.execute(text(sql.strip().rstrip(";")))
                    columns, rows = list(result.keys()), [_cells(r) for r in result]
                header, _rule, *body = shown.strip("\n").splitlines()
                assert header.split() == columns, sql
                assert [line.split() for line in body] == rows, f"{sql}\nreturns\n{rows}"
                checked += 1
        finally:
            engine.dispose()
    assert checked >= 3


def _another_database(db_url: str, tmp_path: Path, number: int) -> str:
    """A second empty database beside db_url's: a file next to it, or a database on the same server."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / f'example{number}.db'}"
    name = f"{url.database}_ex{number}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.mark.postgres
def test_readme_postgres_example_is_what_db_current_prints(postgres_url, etl_bin, tmp_path):
    """The PostgreSQL section's `etl db current` line: after `etl run seeds`, on a database of its own."""
    from sqlalchemy.engine import make_url

    section = _section("## PostgreSQL", "## The schema")
    shown = re.search(r"^etl db current\s+# (\S+): (.*)$", section, re.M)
    assert shown, "the PostgreSQL section shows no `etl db current` output"
    _etl(etl_bin, "run", str(REPO / "seeds"), "--db", postgres_url, "-q", cwd=tmp_path)
    printed = _etl(etl_bin, "db", "current", "--db", postgres_url, cwd=tmp_path).strip()
    ours = make_url(postgres_url).render_as_string(hide_password=True)
    assert printed == f"{ours}: {shown[2]}", "README's `etl db current` line is out of date"
