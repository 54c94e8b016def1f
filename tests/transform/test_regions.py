"""The division table: names, short forms, parents, paths and levels as the contract defines them."""

from __future__ import annotations

from etl.transform.regions import gazetteer


def test_county_path_code_and_level() -> None:
    g = gazetteer()
    (shexian,) = g.lookup("歙县")
    assert (shexian.code, g.path(shexian), shexian.level) == ("341021", "安徽省黄山市歙县", "county")


def test_municipality_district_sits_under_the_province() -> None:
    g = gazetteer()
    (yunyang,) = g.lookup("云阳县")
    assert g.path(yunyang) == "重庆市云阳县"
    assert g.parent(yunyang).level == "provincial"  # 直辖市 bodies are provincial


def test_autonomous_region_and_prefecture_short_forms() -> None:
    g = gazetteer()
    assert g.lookup("广西")[0].name == "广西壮族自治区"
    assert g.lookup("恩施州")[0].name == "恩施土家族苗族自治州"
    assert g.lookup("恩施州")[0].level == "prefectural"
    assert g.lookup("黄山")[0].name == "黄山市"


def test_same_named_districts_are_ambiguous() -> None:
    g = gazetteer()
    chaoyang = g.lookup("朝阳区")
    assert {g.path(r) for r in chaoyang} >= {"北京市朝阳区", "吉林省长春市朝阳区"}
    assert g.ambiguous(chaoyang[0])
    assert "朝阳" not in g.short or g.short["朝阳"][0].kind != "county"


def test_former_names_still_resolve() -> None:
    g = gazetteer()
    (miyun,) = g.lookup("密云县")
    assert not miyun.current and g.path(miyun) == "北京市密云县"


def test_statistical_zones_are_not_divisions() -> None:
    assert gazetteer().lookup("石家庄高新技术产业开发区") == []


def test_name_lengths_by_first_and_last_two_characters_cover_every_name() -> None:
    g = gazetteer()
    for name in (*g.full, *g.short):
        if len(name) < 2:
            continue  # scans look for names of two characters or more
        assert len(name) in g.lengths_by_head[name[:2]]
        assert len(name) in g.lengths_by_tail[name[-2:]]
    assert all(list(lengths) == sorted(lengths, reverse=True) for lengths in g.lengths_by_tail.values())
