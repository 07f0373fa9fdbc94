"""The progress line: drawn in place on a terminal, never on a pipe."""

from __future__ import annotations

import io

from compliance.scan.progress import Progress


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_done_total_rate_eta_and_failures():
    out = Tty()
    p = Progress(out, every=0)
    p.listed, p.listing_done = 10, True
    p.update(4, 1)
    p.finish()
    line = out.getvalue()
    assert line.startswith("\r\x1b[K") and line.endswith("\n")
    assert "scan: 4/10 repos" in line and "/min" in line and "1 could not be audited" in line
    assert "ETA" in line


def test_while_listing_the_total_is_not_known_yet():
    out = Tty()
    p = Progress(out, every=0)
    p.listed = 7
    p.update(3, 0)
    assert "(listed 7)" in out.getvalue() and "ETA" not in out.getvalue()


def test_a_pipe_gets_nothing():
    out = io.StringIO()
    p = Progress(out, every=0)
    p.update(3, 0)
    p.finish()
    assert out.getvalue() == ""
