"""Fixtures of the reliability tests: a corpus of nasty files, and a throwaway PostgreSQL server.

Nothing here is a committed binary: every nasty file is generated at test time in a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

GOOD_NOTICE = (
    "---\ntitle: '国家医保局：累计追回医保基金约506亿元'\nauthor: 新浪财经\ndate: 2021-12-08 14:00:30\n---\n\n"
    "新华社北京12月8日电 国家医疗保障局基金监管司介绍，2018年至2021年10月共检查定点医药机构约234万家次，"
    "处理约100万家次，累计追回医保基金约506亿元。安徽省医疗保障局会同安徽省公安厅开展专项整治。\n"
)

# The nasty corpus: file name -> what must happen to it ("load" or "fail" with a reason matching a word).
BILLION_LAUGHS = (
    "---\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
    "title: 医保\n---\n\n国家医疗保障局追回医保基金约506亿元。\n"
)


@dataclass(frozen=True)
class NastyCorpus:
    root: Path  # the folder to run on
    marker: Path  # a file the !!python/object YAML would create if it were ever constructed
    expect_fail: dict[str, str]  # source_path -> a word the failure reason must contain
    expect_load: dict[str, str]  # source_path -> text its body must contain
    other: tuple[str, ...]  # files that may load or fail, but must not stop the run


@pytest.fixture
def nasty_corpus(tmp_path: Path) -> NastyCorpus:
    """Every kind of bad input the nightly folder may hold, next to two good documents."""
    root = tmp_path / "nasty"
    root.mkdir()
    marker = tmp_path / "PWNED"
    (root / "good.md").write_text(GOOD_NOTICE, encoding="utf-8")
    (root / "empty.md").write_bytes(b"")
    (root / "binary.md").write_bytes(bytes(range(256)) * 64 + b"\x00" * 4096)
    with open(root / "huge.md", "wb") as handle:  # 50 MB, sparse: costs no disk and is never read
        handle.truncate(50 * 1024 * 1024)
    (root / "invalid-utf8.md").write_bytes(
        GOOD_NOTICE.encode("utf-8").replace("处理".encode(), b"\xff\xfe\xc3\x28") + b"\x80\x80")
    (root / "gbk.txt").write_bytes(
        "国家医疗保障局关于开展打击欺诈骗保专项整治的通知\n\n各省医疗保障局：\n追回医保基金约506亿元。\n"
        .encode("gbk"))
    (root / "billion-laughs.md").write_text(BILLION_LAUGHS, encoding="utf-8")
    (root / "python-object.md").write_text(
        f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\n"
        f"x: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n---\n\n追回医保基金约506亿元。\n",
        encoding="utf-8")
    (root / "nested.html").write_text(
        "<html><body>" + "<div>" * 100_000 + "追回医保基金" + "</div>" * 10 + "</body></html>", encoding="utf-8")
    (root / "unclosed-comment.html").write_text(
        "<html><head><title>医保</title></head><body><p>国家医疗保障局追回医保基金约506亿元。</p><!-- "
        + "x" * 10_000, encoding="utf-8")
    (root / "self-loop.md").symlink_to("self-loop.md")
    (root / "dangling.md").symlink_to(tmp_path / "does-not-exist.md")
    os.mkfifo(root / "fifo.md")
    folder_doc = root / "folder-like-a-document.md"
    folder_doc.mkdir()
    (folder_doc / "inside.md").write_text(GOOD_NOTICE.replace("506", "507"), encoding="utf-8")
    (root / "sub").mkdir()
    (root / "sub" / "back-to-root").symlink_to(root, target_is_directory=True)  # a folder loop
    (root / "with space.md").write_text(GOOD_NOTICE.replace("506", "508"), encoding="utf-8")
    (root / "with\nnewline.md").write_text(GOOD_NOTICE.replace("506", "509"), encoding="utf-8")
    return NastyCorpus(
        root=root,
        marker=marker,
        expect_fail={
            "empty.md": "empty",
            "binary.md": "binary",
            "huge.md": "limit",
            "self-loop.md": "loop",
            "dangling.md": "dangling",
            "fifo.md": "FIFO",
        },
        expect_load={
            "good.md": "506",
            "gbk.txt": "欺诈骗保",
            "folder-like-a-document.md/inside.md": "507",
            "with space.md": "508",
            "with\nnewline.md": "509",
        },
        other=("invalid-utf8.md", "billion-laughs.md", "python-object.md", "nested.html", "unclosed-comment.html"),
    )


# -- a throwaway PostgreSQL server ---------------------------------------------------------------------


def _pg_bin(name: str) -> str | None:
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    return shutil.which(name)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ThrowawayServer:
    """A PostgreSQL cluster of our own, on a Unix socket in a temporary folder."""

    data: Path
    sockets: Path
    port: int
    pg_ctl: str

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.sockets}&port={self.port}"

    def _as_postgres(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(["runuser", "-u", "postgres", "--", *args], capture_output=True, text=True,
                              timeout=timeout)

    def start(self) -> None:
        options = f"-k {self.sockets} -p {self.port} -c listen_addresses='' -c fsync=off"
        done = self._as_postgres(self.pg_ctl, "-D", str(self.data), "-o", options, "-w", "-t", "60",
                                 "-l", str(self.data / "server.log"), "start")
        assert done.returncode == 0, f"pg_ctl start failed: {done.stdout}{done.stderr}"

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres(self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop")


@pytest.fixture
def throwaway_pg() -> Iterator[ThrowawayServer]:
    """Our own PostgreSQL server (never the shared one); skips when initdb is missing, except on CI."""
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    problem = None
    if not initdb or not pg_ctl:
        problem = "initdb/pg_ctl not found in /usr/lib/postgresql/*/bin or PATH"
    elif shutil.which("runuser") is None or os.geteuid() != 0:
        problem = "needs root and runuser to run initdb as the postgres OS user"
    else:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            problem = "no postgres OS user"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"throwaway PostgreSQL server unavailable on CI: {problem}")
        pytest.skip(f"throwaway PostgreSQL server unavailable: {problem}")
    base = Path(tempfile.mkdtemp(prefix="etl-pg-", dir="/tmp"))
    data, sockets = base / "data", base / "sock"
    sockets.mkdir()
    shutil.chown(base, "postgres")
    shutil.chown(sockets, "postgres")
    server = ThrowawayServer(data, sockets, _free_port(), pg_ctl)
    done = server._as_postgres(initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                               "--no-sync", timeout=120)
    if done.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"initdb failed: {done.stdout}{done.stderr}")
    server.start()
    try:
        yield server
    finally:
        server.stop("immediate")
        time.sleep(0.2)
        shutil.rmtree(base, ignore_errors=True)
