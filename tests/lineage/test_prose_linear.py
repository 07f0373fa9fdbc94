"""Card prose is scanned in time linear in its length (hostile cards must not hang)."""

from __future__ import annotations

from tests.timebound import runs_within


def test_using_before_a_long_token_is_linear():
    code = (
        "from compliance.lineage.prose import find_bases\n"
        "assert find_bases('using a/' + 'w' * 200_000) == []\n"
    )
    assert runs_within(code)


def test_a_megabyte_line_of_triggers_is_linear():
    code = (
        "from compliance.lineage.prose import find_bases\n"
        "find_bases('based on x ' * 95_000)\n"
        "find_bases('a merge of [' * 80_000)\n"
        "find_bases('fine-tuned from ' + 'a' * 1_000_000)\n"
    )
    assert runs_within(code)


def test_as_base_still_found():
    from compliance.lineage.prose import find_bases

    got = find_bases("merged using [a/base-1](https://huggingface.co/a/base-1) as a base.")
    assert [b.repo_id for b in got] == ["a/base-1"]
