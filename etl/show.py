"""A short, readable tour of what a database holds: what `etl show` prints after a first load."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from etl.load.schema import agencies, documents, failed_files, metrics, sources


def overview(engine: Engine, limit: int = 10) -> dict[str, list[tuple]]:
    """Documents with their source and date, metrics by indicator (figures, running totals among them, the
    largest figure), agencies by level, latest failures."""
    d, s, m, a = documents.c, sources.c, metrics.c, agencies.c
    with engine.connect() as conn:
        docs = conn.execute(
            select(d.id, d.published_on, s.name, func.count(m.id), d.title)
            .select_from(documents.outerjoin(sources, s.id == d.source_id).outerjoin(metrics, m.document_id == d.id))
            .where(d.status == "active")
            .group_by(d.id, d.published_on, s.name, d.title)
            .order_by(d.published_on.desc().nulls_last(), d.id)
            .limit(limit)
        ).all()
        by_indicator = conn.execute(  # counts and the largest figure: a sum would add running totals to their parts
            select(m.indicator, m.unit, func.count(), func.count().filter(m.cumulative), func.max(m.value))
            .select_from(metrics.join(documents, d.id == m.document_id))
            .where(m.on_topic, d.status == "active")
            .group_by(m.indicator, m.unit)
            .order_by(func.count().desc(), m.indicator.nulls_last())
            .limit(limit)
        ).all()
        by_level = conn.execute(
            select(a.level, func.count()).group_by(a.level).order_by(func.count().desc())
        ).all()
        failures = conn.execute(
            select(failed_files.c.source_path, failed_files.c.stage, failed_files.c.reason)
            .order_by(failed_files.c.id.desc()).limit(limit)
        ).all()
    return {"documents": docs, "metrics_by_indicator": by_indicator, "agencies_by_level": by_level,
            "recent_failures": failures}
