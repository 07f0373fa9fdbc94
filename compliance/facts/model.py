"""Plain dataclasses for the facts read from one repo.

Every field is what was *seen*; interpretation (lineage, obligations) happens
later. Untrusted text stays as text: reporters escape it.
"""

from __future__ import annotations

from typing import Any

from compliance.records import field, record
from compliance.report import Evidence


@record(frozen=True)
class Problem:
    """Bad input met while reading facts; becomes a `metadata-invalid` (or
    `unverifiable`) finding, never an exception that loses the report."""

    category: str  # "metadata-invalid" | "unverifiable" | ...
    message: str  # one line naming the file and the problem
    evidence: Evidence


def _stripped(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


@record
class Card:
    """The model card (README.md): front matter as parsed, and its body.

    `metadata` keeps the front matter exactly as parsed; the typed accessors below
    are the only place that interprets it, and return only well-typed values (bad
    ones were reported as Problems when the card was read).
    """

    present: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)  # parsed front matter (bounded)
    metadata_lines: dict[str, int] = field(default_factory=dict)  # top-level key -> 1-based line
    body: str = ""  # Markdown body (capped)
    body_start_line: int = 1  # line of README.md where the body starts
    first_heading: str | None = None
    truncated: bool = False
    path: str = "README.md"  # the card's actual file name (e.g. "readme.md")

    def text(self, key: str) -> str | None:
        """A string-valued key, stripped; None when missing, blank or not a string."""
        return _stripped(self.metadata.get(key))

    def strings(self, key: str) -> list[str]:
        """A key that may be a string or a list (`tags`, `datasets`, `license`): its strings."""
        value = self.metadata.get(key)
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [v for v in value if isinstance(v, str)]
        return []

    def _single(self, key: str) -> str | None:
        """A string key, where a one-item list counts as its item (`license: [mit]`)."""
        value = self.metadata.get(key)
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        return _stripped(value)

    @property
    def license(self) -> str | None:
        """`license:` as written (stripped); a one-item list counts as its item."""
        return self._single("license")

    @property
    def license_id(self) -> str | None:
        """`license:` lower-cased, the form the Hub's licence ids are compared in."""
        value = self.license
        return value.lower() if value else None

    @property
    def license_name(self) -> str | None:
        return self._single("license_name")

    @property
    def license_link(self) -> str | None:
        return self._single("license_link")

    @property
    def declared_license(self) -> str | None:
        """What the card declares, for the report: `license` (a list joined), or
        `other (<license_name>)`; None when it declares nothing."""
        value = ", ".join(s.strip() for s in self.strings("license") if s.strip())
        if not value:
            return None
        if value.lower() == "other" and self.license_name:
            return f"other ({self.license_name})"
        return value

    @property
    def named_license(self) -> str | None:
        """The licence the card names in words: `license_name`, else `license`
        (neither counts when it is just "other")."""
        for value in (self.license_name, self.license):
            if value and value.lower() != "other":
                return value
        return None

    @property
    def base_models(self) -> list[str]:
        """`base_model` entries that are syntactically valid repo ids, in order, deduplicated."""
        from compliance.repo_id import is_valid_repo_id

        out: list[str] = []
        for v in self.strings("base_model"):
            if is_valid_repo_id(v) and v not in out:
                out.append(v)
        return out

    @property
    def base_model_entries(self) -> list[str]:
        """Every non-blank `base_model` string as written (valid repo id or not)."""
        return [v.strip() for v in self.strings("base_model") if v.strip()]

    @property
    def base_model_relation(self) -> str | None:
        return self.text("base_model_relation")

    @property
    def tags(self) -> list[str]:
        return self.strings("tags")

    @property
    def datasets(self) -> list[str]:
        return self.strings("datasets")

    @property
    def language(self) -> list[str]:
        return self.strings("language")

    @property
    def model_name(self) -> str | None:
        return self.text("model_name")

    @property
    def model_index_names(self) -> list[str]:
        """`model-index[].name` strings."""
        entries = self.metadata.get("model-index")
        if not isinstance(entries, list):
            return []
        return [
            e["name"] for e in entries if isinstance(e, dict) and isinstance(e.get("name"), str)
        ]


@record
class ConfigFacts:
    """What config.json says about the model's architecture."""
    present: bool = False
    data: dict[str, Any] = field(default_factory=dict)  # config.json (bounded)
    architectures: list[str] = field(default_factory=list)
    model_type: str | None = None
    name_or_path: str | None = None  # `_name_or_path`
    quantization: dict[str, Any] | None = None  # `quantization_config` (or mlx's `quantization`)
    quantization_key: str = "quantization_config"  # which of the two keys held it


@record
class AdapterFacts:
    """An adapter's config file and the base model it names."""
    file: str  # e.g. "adapter_config.json"
    base_model: str | None  # `base_model_name_or_path`
    peft_type: str | None = None


@record
class MergeFacts:
    """A mergekit configuration: its method and the models it merges."""
    file: str  # "mergekit_config.yml" or "README.md" (YAML block in card)
    line: int | None
    merge_method: str | None
    base_model: str | None
    models: list[str] = field(default_factory=list)


@record
class LicenseFile:
    """A licence-bearing file and its text (which licence it is, is decided later,
    once the final set of rule packs is known)."""

    path: str
    kind: str  # "license" | "notice" | "use-policy"
    text: str = ""  # capped, decoded text (used by file-contains checks)


@record
class TensorInfo:
    """One tensor as a weight file's header lists it."""
    name: str
    dtype: str
    shape: tuple[int, ...]
    file: str
    data_offsets: tuple[int, int]  # relative to the end of the header (safetensors)


@record
class WeightFile:
    """One weight file, its format and what its header showed."""
    path: str
    format: str  # "safetensors" | "gguf" | "pickle" | "other"
    size: int | None
    header_ok: bool = False
    tensors: list[TensorInfo] = field(default_factory=list)  # safetensors only
    metadata: dict[str, Any] = field(default_factory=dict)  # __metadata__ or GGUF KV (scalars)
    header_length: int | None = None  # safetensors: N of the 8-byte prefix


@record
class GGUFFacts:
    """The licence and lineage metadata of one GGUF file."""
    file: str
    name: str | None = None  # general.name
    license: str | None = None  # general.license
    architecture: str | None = None  # general.architecture
    base_models: list[dict[str, Any]] = field(default_factory=list)  # general.base_model.N.*


@record
class Facts:
    """Everything read from one repo, source-independent."""

    source_kind: str  # "local" | "hub"
    label: str
    repo_id: str | None
    revision: str | None
    commit: str | None
    files: list[str] = field(default_factory=list)  # all repo-relative paths
    card: Card = field(default_factory=Card)
    config: ConfigFacts = field(default_factory=ConfigFacts)
    generation_config: dict[str, Any] | None = None
    adapters: list[AdapterFacts] = field(default_factory=list)
    merges: list[MergeFacts] = field(default_factory=list)
    license_files: list[LicenseFile] = field(default_factory=list)
    weights: list[WeightFile] = field(default_factory=list)
    gguf: list[GGUFFacts] = field(default_factory=list)
    modelcheck_config: dict[str, Any] = field(default_factory=dict)  # .modelcheck.yaml of the repo
    git_remote_repo_id: str | None = None  # from .git/config of a Hub checkout
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
