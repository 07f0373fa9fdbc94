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


def test_new_card_scanners_are_linear_on_hostile_lines():
    code = (
        "from compliance.lineage.catalog import Catalog\n"
        "from compliance.lineage.base_mentions import find_mentions\n"
        "from compliance.lineage.name_families import family_of, base_from_name\n"
        "from compliance.facts.local_path import looks_local, model_folder, cache_repo_id\n"
        "from compliance.facts.card import heading_name\n"
        "c = Catalog.load()\n"
        "for body in ['based on ' * 110_000, 'a' * 1_000_000, '基于' * 300_000,\n"
        "             '* **Base model:** ' + 'x' * 1_000_000, 'を' * 500_000 + 'ベースに',\n"
        "             '[a](https://huggingface.co/' * 30_000, 'based on\\n' + '* x\\n' * 200_000,\n"
        "             'Llama 3 ' * 120_000, 'a' * 500_000 + 'をベースに']:\n"
        "    find_mentions(body, c, merge_card=True)\n"
        "family_of('llama' * 200_000); base_from_name('l2-' * 300_000)\n"
        "p = '/' + 'a/' * 500_000; looks_local(p); model_folder(p); cache_repo_id(p)\n"
        "cache_repo_id('models--' + 'a-' * 500_000)\n"
        "heading_name('[' * 500_000 + '](' * 500_000)\n"
    )
    assert runs_within(code, 60)


def test_misplaced_front_matter_scan_is_bounded():
    code = (
        "from compliance.facts.front_matter_recovery import recover\n"
        "lines = ['text', '---'] + ['k: v'] * 1_000_000\n"
        "recover(lines, 'README.md')\n"
        "recover(['```yaml'] + ['license: mit'] * 1_000_000, 'README.md')\n"
    )
    assert runs_within(code, 30)


def test_whitespace_runs_do_not_backtrack():
    code = (
        "from compliance.lineage.catalog import Catalog\n"
        "from compliance.lineage.base_mentions import find_mentions\n"
        "from compliance.lineage.prose import find_bases\n"
        "c = Catalog.load()\n"
        "n = 1_000_000\n"
        "for body in [' ' * n + 'x', '* ' + ' ' * n + 'x', ' ' * n + 'ベースに',\n"
        "             '**Base model' + ' ' * n, 'based on' + ' ' * n + 'x', '基于' + ' ' * n]:\n"
        "    find_mentions(body, c, merge_card=True)\n"
        "    find_bases(body)\n"
    )
    assert runs_within(code, 60)


def test_audit_of_a_hostile_card_is_bounded(tmp_path):
    card = "---\nlicense: mit\ntags: [merge]\n---\n" + ("based on x " * 9000 + "\n") * 10
    card += " " * 200_000 + "\n" + "# " + " " * 200_000 + "x\n"
    (tmp_path / "README.md").write_text(card, encoding="utf-8")
    code = (
        "from compliance.pipeline import AuditOptions, run_audit\n"
        f"run_audit(AuditOptions(target={str(tmp_path)!r}, resolve='catalog'))\n"
    )
    assert runs_within(code, 60)
