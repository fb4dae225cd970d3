"""axe-core's serious and critical findings on the page now, one line each."""

from __future__ import annotations


def serious_violations(axe, page, label: str) -> list[str]:
    results = axe.run(page).response
    assert results["passes"], "axe must have checked something"
    return [
        f"{label}: axe {v['id']} ({v['impact']}) {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
