"""Names are read as the outlet table (etl/rules/outlets.csv, checked in tests/rules/) and the rules say."""

from __future__ import annotations

import pytest

from etl.extract.outlets import outlet_from_name, stated_outlet


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
