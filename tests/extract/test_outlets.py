"""The outlet table (etl/extract/data/outlets.csv) is well formed, and names are read as the rules say."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from etl.extract.outlets import outlet_from_name, stated_outlet

TABLE = Path(__file__).resolve().parents[2] / "etl" / "extract" / "data" / "outlets.csv"


def test_table_rows_are_well_formed_and_aliases_unambiguous() -> None:
    rows = list(csv.DictReader(TABLE.open(encoding="utf-8")))
    names = [row["name"] for row in rows]
    assert len(names) == len(set(names))
    assert {row["kind"] for row in rows} <= {"media", "wire", "government"}
    seen: dict[str, str] = {}
    for row in rows:
        for alias in filter(None, row["aliases"].split("|")):
            key = alias.lower() if alias.isascii() else alias
            assert alias == alias.strip() and key not in names, alias
            assert seen.setdefault(key, row["name"]) == row["name"], f"{alias} names two outlets"


@pytest.mark.parametrize(("written", "name", "kind"), [
    ("新華社", "新华社", "wire"),
    ("sina", "新浪财经", "media"),
    ("南都", "南方都市报", "media"),
    ("某某晚报", "某某晚报", "media"),
    ("某某電視台", "某某電視台", "media"),
    ("某县医疗保障局", "某县医疗保障局", "government"),
])
def test_outlet_names(written: str, name: str, kind: str) -> None:
    found = outlet_from_name(written)
    assert (found.name, found.kind) == (name, kind)


@pytest.mark.parametrize("value", ["sp20240506", "互联网", "本站", "原创", "网络整理", "综合"])
def test_values_that_name_no_outlet(value: str) -> None:
    assert stated_outlet(value) is None


@pytest.mark.parametrize(("value", "name"), [
    ("央视新闻客户端", "央视新闻"),
    ("新华社微博", "新华社"),
    ("江苏城市频道/胡艳 扬州台 编辑/王楠", "江苏城市频道"),
    ("人民网-人民日报", "人民网"),
    ("某市医疗保障局", "某市医疗保障局"),
    ("百色", "百色"),
])
def test_stated_outlet_takes_the_first_name(value: str, name: str) -> None:
    assert stated_outlet(value).name == name


def test_a_person_in_an_author_field_is_not_an_outlet() -> None:
    assert outlet_from_name("彭韵佳") is None
