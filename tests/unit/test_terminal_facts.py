"""What a terminal says of itself (XTSMGRAPHICS, XTVERSION, DA1) and the pictures chosen from it."""

from __future__ import annotations

from scenetui.tui.graphics import Pictures, choose
from scenetui.tui.terminal_facts import TerminalFacts, parse

XTERM_VT340 = "\x1b[?1;0;16S\x1b[?2;0;1000;1000S\x1bP>|XTerm(379)\x1b\\\x1b[?63;1;2;4;6;9;15;16;22;28c"


def test_xterm_vt340_says_16_registers_and_1000_pixels() -> None:
    facts = parse(XTERM_VT340)
    assert facts == TerminalFacts((63, 1, 2, 4, 6, 9, 15, 16, 22, 28), 16, (1000, 1000), "XTerm(379)")
    assert facts.sixel and facts.version("xterm") == (379,) and facts.version("kitty") is None
    pictures = choose("auto", "sixel", facts)
    assert (pictures.graphics, pictures.colours, pictures.max_size) == ("sixel", 16, (1000, 1000))
    assert pictures.describe() == "sixel, 16 colours, 1000×1000 max: pictures scaled to fit"


def test_answers_in_any_order_failures_ignored() -> None:
    facts = parse("\x1b[?63;4c\x1b[?2;3;0S\x1b[?1;0;4096S")  # DA1 first; geometry refused; 4096 registers
    assert facts.max_size is None and facts.colours == 4096 and facts.name == ""
    pictures = choose("auto", "sixel", facts)
    assert pictures.colours == 256 and pictures.max_size == (1000, 1000)  # at most what the encoder makes
    assert "1000×1000 assumed" in pictures.describe()
    assert parse("") == TerminalFacts() and not TerminalFacts().sixel


def test_kitty_before_0_28_gets_half_blocks_and_a_reason() -> None:
    old = parse("\x1bP>|kitty(0.26.5)\x1b\\\x1b[?62;22c")
    assert old.version("kitty") == (0, 26, 5)
    chosen = choose("auto", "kitty", old)
    assert chosen.graphics == "halfblock" and "kitty(0.26.5) is older than kitty 0.28" in chosen.describe()
    assert choose("auto", "kitty", parse("\x1bP>|kitty(0.35.2)\x1b\\")).graphics == "kitty"
    assert choose("auto", "kitty", parse("\x1bP>|ghostty 1.1.3\x1b\\")).graphics == "kitty"
    assert choose("auto", "kitty", TerminalFacts()).graphics == "halfblock"  # unnamed: placeholders unproven
    assert choose("kitty", "kitty", old).graphics == "kitty"  # the setting forces it
    named_sixel = parse("\x1bP>|WezTerm 20240203\x1b\\\x1b[?65;4;22c")
    assert choose("auto", "kitty", named_sixel).graphics == "sixel"  # it speaks sixel too: that, then


def test_no_protocol_is_half_blocks() -> None:
    assert choose("auto", "halfblock", parse("\x1b[?62;22c")) == Pictures(
        "halfblock", why="the terminal speaks neither sixel nor kitty's graphics protocol")
