"""Check a pack's `spdx:` value against the SPDX licence list.

Only `modelcheck rules validate` calls this: the licence list that
license-expression loads costs more than a pre-commit hook should pay on every
run, and the shipped packs are validated by the test suite. AI model licences
have no SPDX ids; a pack gives `null` or a `LicenseRef-` id (SPDX spec, annex
"Other licensing information"), never an invented id.
"""

from __future__ import annotations

import re

_LICENSE_REF = re.compile(r"^LicenseRef-[A-Za-z0-9.\-]+$")


def spdx_problem(value: str) -> str | None:
    """Why `value` is not a valid SPDX expression or LicenseRef id, or None if it is."""
    if _LICENSE_REF.match(value):
        return None
    from license_expression import get_spdx_licensing

    result = get_spdx_licensing().validate(value)
    if result.errors:
        return f"spdx: {value!r} is not a known SPDX licence expression ({result.errors[0]})"
    if result.normalized_expression != value:
        return f"spdx: {value!r} should be written {result.normalized_expression!r}"
    return None
