"""The Qt application's modules import each other without cycles (also an import-linter
contract in pyproject.toml; here so that the test suite says it too)."""

from __future__ import annotations

import grimp


def test_no_import_cycle_among_the_gui_modules():
    # imports under `if TYPE_CHECKING:` load nothing at run time (as in the import-linter
    # configuration): a host may name the window that creates it in its annotations
    graph = grimp.build_graph("console", "widgets", exclude_type_checking_imports=True)
    gui = {m for m in graph.modules if m.startswith("console.gui.")}
    cycles = []
    for module in sorted(gui):
        for imported in sorted(graph.find_modules_directly_imported_by(module) & gui):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                cycles.append(" -> ".join((module, *back)))
    assert cycles == [], "import cycles:\n" + "\n".join(cycles)
