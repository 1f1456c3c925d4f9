"""One-click replacements give correct text (issue 16 item 11): 全网最低 in 全网最低价 replaced by
超值价 gives 超值价, never 超值价价. ``apply_replacement`` is what the cue-card editor runs."""

from __future__ import annotations

import pytest

from console.compliance import apply_replacement, check_text, load_words, words_from_dict


def replace(text, term, suggestion, words=None):
    [hit] = [h for h in check_text(text, words) if h.term == term]
    assert suggestion in hit.suggestions, (suggestion, hit.suggestions)
    return apply_replacement(text, hit, suggestion)


@pytest.mark.parametrize("text, term, suggestion, expected", [
    ("今天全网最低价", "全网最低", "超值价", "今天超值价"),
    ("今天全网最低价", "全网最低", "直播间专属价", "今天直播间专属价"),
    ("全网最低价格只有今天", "全网最低", "超值价格", "超值价格只有今天"),
    ("到手价全网最低", "全网最低", "很实惠", "到手价很实惠"),
    ("史上最低价，错过再等一年", "史上最低", "活动价", "活动价，错过再等一年"),
    ("这是最好看的一款大衣", "最好", "很好看", "这是很好看的一款大衣"),
    ("这个面霜是最好用的", "最好", "很好用", "这个面霜是很好用的"),
    ("最好的牛肉", "最好", "很好", "很好的牛肉"),
    ("咖啡豆选的是最优质的阿拉比卡", "最优", "优质", "咖啡豆选的是优质的阿拉比卡"),
    ("今天直播间的价格是最优惠的", "最优", "很优惠", "今天直播间的价格是很优惠的"),
    ("这款防晒是夏天出门的最佳选择", "最佳", "理想选择", "这款防晒是夏天出门的理想选择"),
    ("１００％好评，放心拍", "１００％", "好评很多", "好评很多，放心拍"),
    ("采用全球最新科技", "最新", "新一代技术", "采用全球新一代技术"),
    ("这是市面上最轻的一款", "最", "很", "这是市面上很轻的一款"),
])
def test_replacements_read_correctly(text, term, suggestion, expected):
    assert replace(text, term, suggestion) == expected


def test_a_form_offers_its_own_suggestions_and_marks_its_span():
    [hit] = check_text("今天全网最低价")
    assert (hit.term, hit.start, hit.end) == ("全网最低", 2, 6)
    assert (hit.replace_start, hit.replace_end) == (2, 7)
    assert hit.suggestions[0] == "超值价"


def test_a_list_without_forms_never_doubles_the_text_around_the_term():
    words = words_from_dict({"terms": [{"term": "全网最低", "suggest": ["直播间专属价"]},
                                       {"term": "最低价", "suggest": ["到手价"]}]})
    assert replace("今天全网最低价", "全网最低", "直播间专属价", words) == "今天直播间专属价"
    assert replace("今天全网最低价格", "全网最低", "直播间专属价", words) == "今天直播间专属价格"
    assert replace("到手最低价99", "最低价", "到手价", words) == "到手价99"   # not 到手到手价99


def test_every_suggestion_reads_clean_in_its_own_place():
    """Each suggestion, put in place of its term or form, leaves no hit of that term behind
    and brings no banned term of its own."""
    words = load_words()
    for term in words.terms:
        cases = [(term.term, term.suggestions)] + list(term.forms)
        assert term.suggestions, f"{term.term} has no suggestion"
        for phrase, suggestions in cases:
            [hit] = [h for h in check_text(phrase, words) if h.start == 0] or [None]
            assert hit is not None, phrase
            for s in suggestions:
                out = apply_replacement(phrase, hit, s)
                assert check_text(out, words) == [], (phrase, s, out)
