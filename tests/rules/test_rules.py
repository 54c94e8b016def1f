"""The rule tables (etl/rules/): every row checked, and a mistake seeded into each table reported with its file
and line, so a typo never silently becomes another value."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from etl.rules import RULES_DIR, TABLES, RuleError, check_tables, read_table, row_problem

TABLE_ROWS = check_tables()

# table -> (line of the row to spoil, column, bad value, what the error says); None for the value of another
# row's name (an alias two bodies would claim).
SEEDED: dict[str, tuple[int, str, str | None, str]] = {
    "indicators": (3, "measures", "mony", "measures: 'mony' is not one of count, money"),
    "indicator_rules": (4, "code", "no_such_code", "unknown indicator code 'no_such_code'"),
    "weak_cues": (2, "cue", "不是线索", "is no indicator's cue"),
    "currencies": (5, "code", "yuan", "code: 'yuan' is not of the form"),
    "qualifier_words": (6, "qualifier", "about", "qualifier: 'about' is not one of"),
    "government_suffixes": (3, "used_by", "source outlet", "used_by: 'outlet' is not one of"),
    "outlets": (4, "aliases", None, "is claimed by"),
    "page_labels": (7, "field", "dates", "field: 'dates' is not one of"),
    "national_agencies": (5, "aliases", None, "is claimed by"),
    "local_agency_suffixes": (3, "level", "city", "level: 'city' is not one of"),
    "divisions": (9, "code", "11000", "code: '11000' is not of the form"),
    "period_words": (4, "meaning", "yaer", "meaning: 'yaer' is not one of"),
    "restricted_units": (2, "unit", "倍数", "no indicator takes '倍数'"),
    "foreign_countries": (3, "name", " 美国", "name: spaces around"),
    "local_anaphora": (3, "canonical_suffix", "医保局局", "is no canonical suffix"),
    "money_leads": (4, "currency", "HKDX", "currency: 'HKDX' is not of the form"),
    "outlet_currencies": (3, "outlet", "某某不存在报", "is no outlet of outlets.csv"),
}


def _every_row() -> list:
    return [pytest.param(name, row, id=f"{TABLES[name].file}:{row.line}")
            for name, rows in TABLE_ROWS.items() for row in rows]


@pytest.mark.parametrize(("name", "row"), _every_row())
def test_row(name: str, row) -> None:
    assert row_problem(TABLES[name], row) is None


def test_every_file_of_the_folder_is_a_declared_table_with_a_readme_row_and_a_seeded_mistake() -> None:
    files = {p.name for p in RULES_DIR.iterdir() if p.suffix in (".csv", ".yaml", ".yml")}
    assert files == {t.file for t in TABLES.values()}
    readme = (RULES_DIR / "README.md").read_text(encoding="utf-8")
    assert [t.file for t in TABLES.values() if f"| `{t.file}` |" not in readme] == []
    assert set(SEEDED) == set(TABLES)


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return folder


def _spoil(folder: Path, file: str, line: int, column: str, value: str) -> None:
    path = folder / file
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = list(reader.fieldnames or []), list(reader)
    rows[line - 2][column] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize("name", sorted(SEEDED))
def test_a_seeded_mistake_is_reported_with_file_and_line(tmp_path: Path, name: str) -> None:
    line, column, bad, message = SEEDED[name]
    folder = _copy(tmp_path)
    if bad is None:  # claim the name of the row above as an alias
        bad = TABLE_ROWS[name][line - 3][TABLES[name].columns[0].name]
    _spoil(folder, TABLES[name].file, line, column, bad)
    with pytest.raises(RuleError) as caught:
        check_tables(folder)
    assert (caught.value.file, caught.value.line) == (TABLES[name].file, line)
    assert message in caught.value.message
    assert str(caught.value).startswith(f"{TABLES[name].file}:{line}: ")


def test_a_missing_column_a_key_twice_and_a_missing_file_are_errors(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    text = (folder / "currencies.csv").read_text(encoding="utf-8").replace("word,code,prefix", "word,code", 1)
    (folder / "currencies.csv").write_text(text, encoding="utf-8")
    with pytest.raises(RuleError, match=r"^currencies.csv:1: missing column prefix"):
        read_table(TABLES["currencies"], folder)

    folder = _copy(tmp_path / "again")
    with (folder / "page_labels.csv").open("a", encoding="utf-8") as fh:
        fh.write(f"{TABLE_ROWS['page_labels'][0]['label']},date\n")
    last = len((folder / "page_labels.csv").read_text(encoding="utf-8").splitlines())
    with pytest.raises(RuleError, match=rf"^page_labels.csv:{last}: .* is already on line 2"):
        read_table(TABLES["page_labels"], folder)

    (folder / "weak_cues.csv").unlink()
    with pytest.raises(RuleError, match="weak_cues.csv:0: missing file"):
        check_tables(folder)


def test_units_only_for_count_indicators(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    money = next(r for r in TABLE_ROWS["indicators"] if r["measures"] == "money")["code"]
    line = next(r.line for r in TABLE_ROWS["indicator_rules"] if r["code"] == money)
    _spoil(folder, "indicator_rules.csv", line, "units", "家")
    with pytest.raises(RuleError, match=rf"indicator_rules.csv:{line}: units for '{money}', which measures money"):
        check_tables(folder)


def test_a_mistake_stops_a_run_before_any_work_with_file_and_line(tmp_path: Path, seeds_copy: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """etl run checks the tables first; the CLI turns the error into exit 2 and its one line."""
    import etl.rules
    from etl import api

    folder = _copy(tmp_path)
    _spoil(folder, "currencies.csv", 3, "code", "yuan")
    monkeypatch.setattr(etl.rules, "_checked", lambda: check_tables(folder))
    db = tmp_path / "etl.db"
    with pytest.raises(RuleError) as caught:
        api.run([str(seeds_copy)], str(db), workers=1)
    assert api.usage_error(caught.value).startswith("currencies.csv:3: code: 'yuan'")
    assert not db.exists()  # nothing was created
