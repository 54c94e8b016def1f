"""Is a document, or one figure's sentence, about medical-insurance fund supervision?

Documents: a finance briefing that mentions 医保 in one item of thirty is not about it; a notice titled
…诈骗医保基金… is. So the title counts most, then how dense the medical-insurance words are in the body,
and a supervision word must be there too (a 医疗保障 enrolment notice is not about fund supervision).
Figures: a figure is on topic when its sentence names the domain, or the sentence before it in the same
paragraph does and the writer did not change the subject (此外, 另外 …).
"""

from __future__ import annotations

import re

# Words that put a sentence in the domain wherever it stands (medical insurance, its fund, its fraud).
STRONG_CUE_REGEX = re.compile(
    r"医保|医疗保障|医疗保险|骗保|套保|定点医|三假|假病人|假病情|假票据|参保人|基金监管|新农合|合作医疗"
)
# Words that do so only inside a document that is about the domain (a pharma stock item is not).
TOPIC_CUE_REGEX = re.compile(
    STRONG_CUE_REGEX.pattern + r"|医药机构|医疗机构|零售药店|药店|医院|卫生院|诊所|医务人员|医疗费用|住院|诊疗"
    r"|医疗服务|透析|药品"
)
_MEDICAL_INSURANCE_REGEX = re.compile(r"医保|医疗保障|医疗保险|骗保|新农合|合作医疗")
_SUPERVISION_REGEX = re.compile(
    r"监管|监督|骗保|欺诈|诈骗|追回|追缴|追退|拒付|检查|违规|违法|查处|整治|打击|稽核|举报|处罚|罚款|移送|移交"
)
SUBJECT_CHANGE_REGEX = re.compile(r"^[\s　]*(?:此外|另外|另据|与此同时|同时|除此之外|另一方面)")


def document_on_topic(title: str | None, body_text: str) -> bool:
    """Whether the document is about medical-insurance fund supervision at all.

    A title that names medical insurance decides it together with supervision words in the title or a
    few in the body; without one, the body must be dense in medical-insurance words (a briefing with one
    医保 item of thirty is not) and talk about supervision.
    """
    head = title if title else body_text[:100]
    sample = body_text[:50000]
    per_thousand = 1000 / max(len(sample), 1000)
    supervision = len(_SUPERVISION_REGEX.findall(sample))
    if _MEDICAL_INSURANCE_REGEX.search(head):
        return _SUPERVISION_REGEX.search(head) is not None or (supervision >= 3 and supervision * per_thousand >= 0.5)
    mentions = len(_MEDICAL_INSURANCE_REGEX.findall(sample))
    return mentions >= 5 and mentions * per_thousand >= 2.0 and supervision >= 3 and supervision * per_thousand >= 1.0


def sentence_on_topic(sentence: str, previous_sentence: str | None, document_topic: bool) -> bool:
    """Whether a figure in sentence belongs to the domain (see the module docstring)."""
    if STRONG_CUE_REGEX.search(sentence):
        return True
    if not document_topic:
        return False
    if TOPIC_CUE_REGEX.search(sentence):
        return True
    if not previous_sentence or SUBJECT_CHANGE_REGEX.search(sentence):
        return False
    return TOPIC_CUE_REGEX.search(previous_sentence) is not None
