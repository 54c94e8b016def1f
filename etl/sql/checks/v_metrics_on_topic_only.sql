-- title: v_metrics holds only on-topic figures of active documents
-- description: BI users are pointed at v_metrics; a figure the transform judged off topic (metrics.on_topic false) or of a removed document must not be there (it belongs in v_metrics_all only).
SELECT v.metric_id, v.document_id, v.raw_text
FROM v_metrics v
JOIN metrics m ON m.id = v.metric_id
JOIN documents d ON d.id = m.document_id
WHERE NOT m.on_topic
   OR d.status <> 'active'
ORDER BY v.metric_id
