"""`.modelcheck.yaml` validation and the published-name sources."""

from __future__ import annotations

import pytest
from support.audit import facts

from compliance.config import config_for, load_config_file, parse_config
from compliance.errors import ConfigError
from compliance.naming import model_name


def test_parse_full_config(tmp_path):
    data = {
        "repo_id": "acme/Llama-3.1-Acme",
        "rules": ["policies/"],
        "fail_on": "warning",
        "waivers": [
            {"rule": "llama3.1/name-prefix", "ancestor": "meta-llama/Llama-3.1-8B", "reason": "ok"}
        ],
    }
    c = parse_config(data, ".modelcheck.yaml", tmp_path)
    assert c.repo_id == "acme/Llama-3.1-Acme" and c.fail_on == "warning"
    assert c.rules == (str((tmp_path / "policies").resolve()),)
    assert c.waivers[0].ancestor == "meta-llama/Llama-3.1-8B" and c.waivers[0].reason == "ok"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"fail_on": "fatal"},
            "'fail_on' must be one of error, warning, info, never, none (got 'fatal')",
        ),
        ({"colour": 1}, "unknown key 'colour'"),
        ({"waivers": [{"reason": "x"}]}, "missing required key 'waivers[0].rule'"),
        ({"waivers": "all"}, "'waivers' must be list or null"),
        (["a"], "document must be a mapping"),
        ({"rules": ["policies/", 5]}, "'rules' items must be str"),
    ],
)
def test_config_errors_are_one_line(tmp_path, data, message):
    with pytest.raises(ConfigError) as e:
        parse_config(data, ".modelcheck.yaml", tmp_path)
    assert message in str(e.value) and str(e.value).startswith(".modelcheck.yaml: ")
    assert "\n" not in str(e.value)


def test_waiver_without_reason_is_not_a_config_error(tmp_path):
    c = parse_config({"waivers": [{"rule": "x/y", "reason": "  "}]}, "c.yaml", tmp_path)
    assert c.waivers[0].reason is None


def test_waiver_ancestor_is_trimmed(tmp_path):
    """Stray spaces in a hand-written ancestor id must not make the waiver match nothing."""
    w = {"rule": "llama3.1/name-prefix", "ancestor": " meta-llama/Llama-3.1-8B ", "reason": "ok"}
    c = parse_config({"waivers": [w]}, "c.yaml", tmp_path)
    assert c.waivers[0].ancestor == "meta-llama/Llama-3.1-8B"


def test_load_config_file(tmp_path):
    p = tmp_path / "mc.yaml"
    p.write_text(
        "repo_id: acme/x\nwaivers:\n  - rule: core/license-missing\n    reason: internal\n"
    )
    c = load_config_file(p)
    assert c.origin == str(p) and c.waivers[0].line == 2
    p.write_text("repo_id: [unclosed\n")
    with pytest.raises(ConfigError, match="invalid config"):
        load_config_file(p)
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config_file(tmp_path / "missing.yaml")


def test_config_for_prefers_cli_file(tmp_path):
    p = tmp_path / "mc.yaml"
    p.write_text("repo_id: acme/from-file\n")
    assert config_for({"repo_id": "acme/from-repo"}, str(p), tmp_path).repo_id == "acme/from-file"
    assert config_for({"repo_id": "acme/from-repo"}, None, tmp_path).repo_id == "acme/from-repo"
    assert config_for({}, None, tmp_path) is None


def test_naming_sources_in_order(tmp_path):
    c = parse_config({"repo_id": "acme/from-config"}, ".modelcheck.yaml", tmp_path)
    meta = {"model_name": "Card-Name", "model-index": [{"name": "Index-Name"}]}
    f = facts(meta, "# Heading Name\n", label="/repos/dir-name")
    f.git_remote_repo_id = "acme/from-git"
    assert model_name(f, "acme/cli", c) == ("acme/cli", "--name")
    assert model_name(f, None, c) == ("acme/from-config", ".modelcheck.yaml repo_id")
    assert model_name(f, None, None) == ("acme/from-git", "git remote")
    f.git_remote_repo_id = None
    assert model_name(f) == ("Card-Name", "card model_name")
    del meta["model_name"]
    assert model_name(f) == ("Index-Name", "card model-index[0].name")
    del meta["model-index"]
    f.card.first_heading = "Heading Name"
    assert model_name(f) == ("Heading Name", "card first heading")
    f.card.first_heading = None
    assert model_name(f) == ("dir-name", "directory name")


def test_hub_repo_id_names_a_hub_audit():
    f = facts({"model_name": "Card"}, source_kind="hub", repo_id="acme/hub-model")
    assert model_name(f) == ("acme/hub-model", "Hub repo id")


def test_fail_on_never_is_accepted_as_on_the_command_line():
    from compliance.config import parse_config

    assert parse_config({"fail_on": "never"}, ".modelcheck.yaml", None).fail_on == "never"
    assert parse_config({"fail_on": "none"}, ".modelcheck.yaml", None).fail_on == "none"
