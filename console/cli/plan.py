"""``livedesk plan``: import a spreadsheet, export a run of show."""

from __future__ import annotations

import sys
from pathlib import Path

from console.core.plan import PlanError, load_plan, save_plan
from console.plans.export import export_pdf, export_xlsx
from console.plans.importer import (FIELDS, ImportError_, _col_name, auto_mapping, build_plan,
                                   load_remembered, merge_products, normalize_header,
                                   products_from_events, read_table)


def run_plan(args) -> int:
    """``livedesk plan import|export|merge``."""
    command = getattr(args, "plan_command", None)
    if command == "import":
        return run_plan_import(args)
    if command == "merge":
        return run_plan_merge(args)
    return run_plan_export(args)


def run_plan_export(args) -> int:
    try:
        plan = load_plan(args.file)
    except PlanError as exc:
        print(exc.report(), file=sys.stderr)
        return 2
    out = Path(args.output)
    suffix = out.suffix.lower()
    try:
        if suffix == ".xlsx":
            export_xlsx(plan, out)
        elif suffix == ".pdf":
            from console.plans.images import ImageCache
            export_pdf(plan, out, image_for=ImageCache().cached)
        else:
            print(f"error: {out}: export to .xlsx or .pdf", file=sys.stderr)
            return 2
    except OSError as exc:
        print(f"error: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"{out}: {len(plan.products)} products")
    return 0


def run_plan_import(args) -> int:
    """``livedesk plan import SHEET -o PLAN.yaml``: 0 every row read, 1 some rows left out
    (the plan is written with the others), 2 nothing usable (no plan written)."""
    err = sys.stderr
    try:
        remembered = {} if args.no_remembered else load_remembered()
        table = read_table(args.sheet_file, args.sheet)
    except ImportError_ as exc:
        print(f"error: {exc}", file=err)
        return 2
    mapping, unknown = auto_mapping(table.headers, remembered)
    for spec in args.map or []:
        header, _, fld = spec.partition("=")
        if fld not in FIELDS and fld != "":
            print(f"error: --map {spec}: unknown field {fld!r} (fields: {', '.join(FIELDS)})",
                  file=err)
            return 2
        cols = [c for c, h in enumerate(table.headers) if normalize_header(h) == normalize_header(header)]
        if not cols:
            print(f"error: --map {spec}: no column headed {header!r}", file=err)
            return 2
        for col in cols:
            for other in [c for c, f in mapping.items() if f == fld]:
                mapping.pop(other)
            if fld:
                mapping[col] = fld
            else:
                mapping.pop(col, None)
            if col in unknown:
                unknown.remove(col)
    result = build_plan(table, mapping, room=args.room or "", title=args.title or "")
    print(f"{table.source} [{table.sheet}]: header on row {table.header_row}", file=err)
    for col, fld in sorted(result.mapping.items()):
        print(f"  column {_col_name(col)} {table.headers[col]!r} -> {fld}", file=err)
    for col in unknown:
        print(f"  column {_col_name(col)} {table.headers[col]!r}: not mapped, ignored "
              f"(use --map '{table.headers[col]}=FIELD')", file=err)
    for prob in result.problems:
        tag = "warning" if prob.level == "warning" else "error"
        print(f"{tag}: {prob.describe()}", file=err)
    if not result.plan["products"] or any(p.row == 0 for p in result.errors):
        print("error: no plan written", file=err)
        return 2
    out = Path(args.output)
    try:
        save_plan(result.plan, out)
    except (PlanError, OSError) as exc:
        print(f"error: cannot write {out}: {exc}", file=err)
        return 2
    left_out = len({p.row for p in result.errors})
    print(f"{out}: {len(result.plan['products'])} products"
          + (f", {left_out} row(s) left out" if left_out else ""), file=sys.stdout)
    return 1 if left_out else 0


def run_plan_merge(args) -> int:
    """``livedesk plan merge PLAN SESSION [--db URL] [-o OUT]``: the products a recorded
    session's feed reported, merged into the plan by SKU."""
    from console.core.plan import load_plan
    try:
        plan = load_plan(args.file).to_dict()
    except PlanError as exc:
        print(f"{exc.source}: invalid plan: " + "; ".join(exc.problems), file=sys.stderr)
        return 2
    from console.recorder import Store
    store = Store(args.db)
    try:
        if store.session(args.session) is None:
            print(f"error: no session {args.session!r} in the recording database", file=sys.stderr)
            return 2
        products = products_from_events(store.lane_events(args.session, ["product.upsert"]))
    finally:
        store.close()
    merged, report = merge_products(plan, products)
    out = Path(args.output or args.file)
    try:
        save_plan(merged, out)
    except (PlanError, OSError) as exc:
        print(f"error: cannot write {out}: {exc}", file=sys.stderr)
        return 2
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"{out}: {report.describe()}")
    return 0
