-- title: A yearly series value is one year's figure, never a running total added to its parts
-- description: Every row of v_yearly_series must rest on what it cites: a stated or partial year on one figure that starts on 1 January of that year and ends in it, with the same value; a derived year on two figures with the same start ending on 31 December a year apart, its value the later less the earlier. A row that is none of these (a running total counted as a year, or a sum) is listed.
SELECT
    s.indicator,
    s.agency_id,
    s.year,
    s.unit,
    s.value,
    s.value_kind,
    s.metric_ids
FROM v_yearly_series s
LEFT JOIN metrics m ON m.id = s.metric_id
LEFT JOIN dim_date ms ON ms.date = m.period_start
LEFT JOIN dim_date me ON me.date = m.period_end
LEFT JOIN metrics b ON b.id = s.base_metric_id
LEFT JOIN dim_date be ON be.date = b.period_end
WHERE m.id IS NULL
   OR ms.date IS NULL
   OR me.date IS NULL
   OR me.year <> s.year
   OR (s.value_kind IN ('stated', 'partial') AND (
          s.base_metric_id IS NOT NULL
       OR ms.year <> s.year OR ms.month <> 1 OR ms.day <> 1
       OR m.value <> s.value
       OR (s.value_kind = 'stated' AND NOT (me.month = 12 AND me.day = 31))
       OR (s.value_kind = 'partial' AND (me.month = 12 AND me.day = 31))))
   OR (s.value_kind = 'derived' AND (
          b.id IS NULL
       OR b.period_start IS NULL
       OR b.period_start <> m.period_start
       OR be.date IS NULL OR be.year <> s.year - 1 OR be.month <> 12 OR be.day <> 31
       OR me.month <> 12 OR me.day <> 31
       OR m.value - b.value <> s.value))
   OR s.value_kind NOT IN ('stated', 'partial', 'derived')
ORDER BY s.indicator, s.agency_id, s.year
