"""Where the database is and how it is named, resolved the same way by the CLI, the API and Alembic."""

from __future__ import annotations

import os
import re
from urllib.parse import quote

from sqlalchemy.engine import URL, make_url

ENV_VAR = "ETL_DATABASE_URL"
DEFAULT_URL = "sqlite:///etl.db"
# More worker processes than this is a mistake, a usage error (`--workers 5000` forked thousands, 16 GB, for
# five files); a pool never has more workers than batches of files to give them either (etl.executor).
MAX_WORKERS = 256
# Files larger than this are recorded as failed, not read (etl run --max-file-mb; etl inspect alike).
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024


def resolve_url(url: str | None = None) -> str:
    """The URL from the argument, else $ETL_DATABASE_URL, else sqlite:///etl.db; postgresql:// means psycopg 3.

    A plain file path (no scheme, as sqlite-utils and Datasette take one) means a SQLite file there.
    """
    raw = url or os.environ.get(ENV_VAR) or DEFAULT_URL
    if "://" not in raw:
        raw = "sqlite:///" + raw
    try:
        parsed = make_url(_quoted_userinfo(raw))
    except Exception:  # the parser's message may quote a piece of the password (a "port" it could not read)
        raise BadDatabaseURL() from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


class BadDatabaseURL(ValueError):
    """A URL that cannot be parsed. The message never repeats the URL or a piece of it."""

    def __init__(self) -> None:
        super().__init__("the database URL cannot be read: give postgresql://USER:PASSWORD@HOST:PORT/DB or a "
                         "SQLite path (a password may hold @ / ? # only percent-encoded, or pass it in PGPASSWORD)")


# userinfo@ of a URL with a server part: the password may hold an unescaped @ / ? or # (pasted as is);
# the userinfo then ends at the LAST @ before the query, not the first.
_USERINFO = re.compile(r"^(?P<scheme>[\w+.-]+://)(?P<user>[^:@/?#]*):(?P<password>[^?]*)@(?P<rest>[^@?]*(?:\?.*)?)$",
                       re.DOTALL)


def _quoted_userinfo(raw: str) -> str:
    """raw with the characters of its password that would end the userinfo early percent-encoded."""
    match = _USERINFO.match(raw)
    if match is None or not re.search(r"[@/?#]", match["password"]):
        return raw
    password = quote(match["password"], safe="%:!$&'()*+,;=~-._")
    return f"{match['scheme']}{match['user']}:{password}@{match['rest']}"


# query parameters that carry a secret (libpq's password, sslpassword; passfile names a file, which is fine)
_SECRET_KEYS = re.compile(r"pass(word)?$|secret|token", re.IGNORECASE)


def masked(url: str | URL) -> str:
    """The URL with any password replaced by ***, for printing and logging."""
    try:
        parsed = make_url(_quoted_userinfo(url) if isinstance(url, str) else url)
        secret = {key: "***" for key in parsed.query if _SECRET_KEYS.search(key)}
        if secret:
            parsed = parsed.update_query_dict(secret)
        return parsed.render_as_string(hide_password=True).replace("%2A%2A%2A", "***")
    except Exception:  # an unparsable URL is still never echoed with its secret
        return "<unparsable database URL>"


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def masked_text(text: str) -> str:
    """Hide passwords in any text (driver errors may echo a URL or a conninfo string): the userinfo of a
    URL (greedy: a password may hold an unescaped @) and password= / sslpassword= values."""
    text = re.sub(r"(://[^:/@\s]*:)\S*@", r"\1***@", text)
    return re.sub(r"((?:ssl)?password\s*=\s*)('[^']*'|[^\s&'\"]+)", r"\1***", text, flags=re.IGNORECASE)
