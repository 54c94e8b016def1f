"""Security: no SQL built from strings with data in them, passwords never printed, symlinks out of the
given folders not followed unless asked. (The read-only BI role is tested in tests/reporting/test_roles.py.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.reliability.conftest import GOOD_NOTICE
from tests.reliability.rel_support import REPO, SEEDS, active_paths, run_etl

SQL_CALLS = {"execute", "executemany", "exec_driver_sql", "executescript", "text"}
# (file, source of the argument) -> why building it from parts is safe. Identifiers and constants only.
ALLOWED = {
    ("etl/load/db.py", "f'PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}'"):
        "a module constant int; PRAGMA takes no bind parameters",
    ("etl/reporting/roles.py", "sql.SQL('DROP OWNED BY {}').format(role)"):
        "psycopg composes a quoted sql.Identifier; roles take no bind parameters",
    ("etl/reporting/roles.py", "sql.SQL('DROP ROLE IF EXISTS {}').format(role)"):
        "psycopg composes a quoted sql.Identifier; roles take no bind parameters",
    ("etl/load/search_index.py", "sql.SQL('COMMENT ON {} fts_documents IS {}').format(kind, sql.Literal(description))"):
        "a constant keyword and psycopg's quoted sql.Literal of catalog text; COMMENT takes no bind parameters",
    ("etl/load/search_index.py", "sql.SQL('COMMENT ON COLUMN {} IS {}').format(sql.Identifier('fts_documents', "
                                 "column), sql.Literal(comment))"):
        "psycopg's quoted sql.Identifier and sql.Literal of catalog text; COMMENT takes no bind parameters",
}


def _built(node: ast.expr) -> bool:
    """True for an f-string with a placeholder, %, + or .format()/.join() with a non-constant part."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        parts = [n for n in ast.walk(node) if isinstance(n, ast.expr) and not isinstance(n, ast.BinOp)]
        return not all(isinstance(n, ast.Constant) for n in parts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
        return True
    return False


def built_sql(source: str) -> list[tuple[int, str]]:
    """SQL calls whose first argument is built from parts, directly or through a name assigned in the same
    function (`sql = f"..."; conn.execute(text(sql))`)."""
    tree = ast.parse(source)
    found: list[tuple[int, str]] = []
    scopes = [n for n in ast.walk(tree) if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef))]
    for scope in scopes:
        assigned: dict[str, list[ast.expr]] = {}
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assigned.setdefault(target.id, []).append(node.value)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                assigned.setdefault(node.target.id, []).append(ast.BinOp(node.target, ast.Add(), node.value))
        for node in ast.walk(scope):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name not in SQL_CALLS:
                continue
            arg = node.args[0]
            candidates = assigned.get(arg.id, []) if isinstance(arg, ast.Name) else [arg]
            found += [(node.lineno, ast.unparse(c)) for c in candidates if _built(c)]
    return sorted(set(found))


def test_the_check_catches_built_sql() -> None:
    """The detector itself: each way of splicing data into SQL is caught, bind parameters are not."""
    bad = [
        'conn.execute(text(f"SELECT * FROM t WHERE name = \'{name}\'"))',
        'conn.execute(text("SELECT * FROM t WHERE id = " + str(id_)))',
        'cur.execute("DELETE FROM t WHERE id = %s" % id_)',
        'conn.exec_driver_sql("SELECT {}".format(col))',
        'def f(x):\n    sql = f"SELECT {x}"\n    conn.execute(text(sql))',
    ]
    for snippet in bad:
        assert built_sql(snippet), snippet
    good = [
        'conn.execute(text("SELECT * FROM t WHERE id = :id"), {"id": id_})',
        'conn.execute(text("SELECT 1 " "FROM t"))',
        'conn.execute(text("SELECT 1 " + "FROM t"))',
        "conn.execute(select(t).where(t.c.id == id_))",
    ]
    for snippet in good:
        assert not built_sql(snippet), snippet


def test_no_sql_is_built_from_strings_with_data() -> None:
    """Every SQL call in etl/ takes a constant, a Core construct or a file from sql/, with bind parameters;
    the only exceptions are the identifier-only cases in ALLOWED. Migrations are left out: they are frozen
    scripts that write catalog comments from their own constants, and take no input at all."""
    found, used = [], set()
    for path in sorted((REPO / "etl").rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        if rel.startswith("etl/migrations/"):
            continue
        for line, arg in built_sql(path.read_text(encoding="utf-8")):
            if (rel, arg) in ALLOWED:
                used.add((rel, arg))
            else:
                found.append(f"{rel}:{line}: {arg}")
    assert not found, "SQL built from strings (use bind parameters):\n" + "\n".join(found)
    assert used == set(ALLOWED), f"stale allow-list entries: {set(ALLOWED) - used}"


SECRET = "hunter2-secret"
DEAD_URL = f"postgresql+psycopg://user:{SECRET}@127.0.0.1:1/x"


@pytest.mark.parametrize("args", [
    ("run", str(SEEDS)), ("db", "current"), ("db", "upgrade"), ("report", "stories"), ("check",), ("show",),
], ids=lambda a: " ".join(a[:2]).replace(str(SEEDS), "seeds"))
def test_password_never_printed_when_the_database_is_unreachable(args: tuple[str, ...]) -> None:
    """Any command on an unreachable server: exit 1, one line, and the password is never printed,
    whether the URL comes from --db or from ETL_DATABASE_URL."""
    for done in (run_etl(*args, "--db", DEAD_URL, timeout=60),
                 run_etl(*args, timeout=60, env={"ETL_DATABASE_URL": DEAD_URL})):
        output = done.stdout + done.stderr
        assert SECRET not in output, output
        assert done.returncode == 1, output
        assert "Traceback" not in output and len(done.stderr.strip().splitlines()) == 1, output


@pytest.mark.postgres
def test_password_never_printed_on_success(postgres_url: str) -> None:
    """A URL with a password (ignored by the trust-auth test server) that works: summaries and status lines
    show it masked."""
    url = postgres_url.replace("postgres@", f"postgres:{SECRET}@", 1)
    assert SECRET in url
    for args in (("run", str(SEEDS), "--workers", "1"), ("db", "current"), ("report", "stories"), ("check",)):
        done = run_etl(*args, "--db", url)
        assert done.returncode in (0, 3), done.stderr
        assert SECRET not in done.stdout + done.stderr, args
    assert "***" in run_etl("db", "current", "--db", url).stdout


def test_symlinks_out_of_the_roots_need_follow_symlinks(tmp_path: Path) -> None:
    """A file link and a folder link that leave the given folder are skipped; --follow-symlinks loads them;
    a link that stays inside is loaded either way."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    (outside / "deep").mkdir(parents=True)
    (root / "own.md").write_text(GOOD_NOTICE, encoding="utf-8")
    (outside / "secret.md").write_text(GOOD_NOTICE.replace("506", "606"), encoding="utf-8")
    (outside / "deep" / "other.md").write_text(GOOD_NOTICE.replace("506", "706"), encoding="utf-8")
    (root / "file-link.md").symlink_to(outside / "secret.md")
    (root / "folder-link").symlink_to(outside / "deep", target_is_directory=True)
    (root / "inside-link.md").symlink_to(root / "own.md")

    plain = f"sqlite:///{tmp_path / 'plain.db'}"
    done = run_etl("run", str(root), "--db", plain, "--workers", "1")
    assert done.returncode in (0, 3), done.stderr
    loaded = active_paths(plain)
    assert {"own.md", "inside-link.md"} <= loaded
    assert not {"file-link.md", "folder-link/other.md"} & loaded, loaded

    followed = f"sqlite:///{tmp_path / 'followed.db'}"
    done = run_etl("run", str(root), "--db", followed, "--workers", "1", "--follow-symlinks")
    assert done.returncode in (0, 3), done.stderr
    assert {"own.md", "inside-link.md", "file-link.md", "folder-link/other.md"} <= active_paths(followed)
