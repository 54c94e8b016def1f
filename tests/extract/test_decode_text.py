"""Line endings and line-edge padding: the text-level clean-ups done before and after format parsing."""

from __future__ import annotations

import pytest

from etl.extract.decode import normalise_text, trim_line_edges


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\ufeff第一条\r\n第二条\r第三条\u2028第四条\u2029第五条\x85第六条\n", "第一条\n第二条\n第三条\n第四条\n第五条\n第六条\n"),
        ("already LF\nonly\n", "already LF\nonly\n"),
        ("\r\n\r\n", "\n\n"),
    ],
)
def test_normalise_text_gives_lf_line_ends(raw: str, clean: str) -> None:
    assert normalise_text(raw) == clean


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\u3000\u3000第一条 内容。 \n\t 第二条\u00a0\n", "第一条 内容。\n第二条\n"),
        ("   \n \u3000 \nx", "\n\nx"),
        ("a  b\n", "a  b\n"),  # spaces inside a line stay
        ("\r\n x \r\n", "\r\nx \r\n"),  # only LF ends a line here; normalise_text runs first
    ],
)
def test_trim_line_edges(raw: str, clean: str) -> None:
    assert trim_line_edges(raw) == clean
