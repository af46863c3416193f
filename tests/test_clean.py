"""Ticket cleaning keeps offsets pointing into the original text."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from needswants.clean import clean_ticket


def test_quoted_reply_and_quote_lines_are_dropped():
    text = "I still have no refund.\n> earlier line\nOn Mon, 3 May 2024, Support <help@x.com> wrote:\n> sorry"
    assert clean_ticket(text).text.strip() == "I still have no refund."


def test_signature_and_device_footer_are_dropped():
    assert clean_ticket("My card is blocked.\n\nSent from my iPhone").text.strip() == "My card is blocked."
    assert clean_ticket("Please call me.\n-- \nAnna Berg\nACME Ltd").text.strip() == "Please call me."


def test_html_becomes_text_and_maps_back():
    text = "<p>Hi team,</p><p>My router &amp; modem don&#39;t work.</p><br>I need a fix by Friday."
    cleaned = clean_ticket(text)
    assert "My router & modem don't work." in cleaned.text
    start = cleaned.text.index("My router")
    end = cleaned.text.index("work.") + len("work.")
    o_start, o_end = cleaned.to_original(start, end)
    assert text[o_start:o_end] == "My router &amp; modem don&#39;t work."


def test_a_message_that_is_only_a_quote_keeps_its_text():
    text = "> I need help with my bill"
    assert clean_ticket(text).text == text


def test_plain_text_is_unchanged():
    text = "Nothing to clean here. Really!"
    assert clean_ticket(text).text == text


@given(st.text(max_size=200))
def test_every_cleaned_character_maps_to_the_same_original_character(text):
    cleaned = clean_ticket(text)
    assert len(cleaned.origin) == len(cleaned.text)
    for i, ch in enumerate(cleaned.text):
        original = text[cleaned.origin[i]]
        assert original == ch or original in "&<"  # entities and tags map to where they start


def test_angle_brackets_that_are_not_tags_are_kept():
    cleaned = clean_ticket("<b>price < 5 and I need > 3 units</b>")
    assert "price < 5 and I need > 3 units" in cleaned.text


def test_entities_map_back_whole_and_unknown_ones_stay():
    text = "<p>We need R&amp;D&co; sorted &amp;</p>"
    cleaned = clean_ticket(text)
    assert "R&D&co; sorted &" in cleaned.text
    end = cleaned.text.index("sorted &") + len("sorted &")
    start = cleaned.text.index("R&D")
    o_start, o_end = cleaned.to_original(start, end)
    assert text[o_start:o_end] == "R&amp;D&co; sorted &amp;"
