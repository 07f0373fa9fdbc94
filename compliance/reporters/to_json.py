"""JSON reporter: the data of `serialize.report_to_dict`, documented in docs/json-report.md."""

from __future__ import annotations

import json

from compliance.report import Report
from compliance.reporters.serialize import report_to_dict


def render(report: Report) -> str:
    # ensure_ascii=False keeps quotes like “Built with Llama” readable; sort_keys is
    # not used because the documented key order is itself stable.
    return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n"
