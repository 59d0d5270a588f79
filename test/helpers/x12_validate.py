"""Independent X12 checks for ptflow's tests (run with the venv of scripts/ensure-x12-validators.sh).

    python x12_validate.py pyx12 <file>   -> {"valid": bool, "errors": [...]}   (pyx12 5010 maps: 837P, 835, 277, 999)
    python x12_validate.py pyx12-segments <file>
                                          -> {"segments": [{"loop", "id", "elements"}]}: pyx12's own reading of the
                                             file (its tokenizer, its map's loop for each segment; composites as
                                             lists), for tests that compare totals with an independent parser
    python x12_validate.py lfh <file>     -> {"valid": bool, "errors": [...], "models": [...]}
                                             (LinuxForHealth x12 pydantic models: 270, 271, 276, 277, 835 ...)

Prints one JSON object on stdout. Error texts may quote segment values: tests print them only for synthetic data.
"""

import io
import json
import logging
import sys


def run_pyx12(path):
    import pyx12.params
    import pyx12.x12n_document

    errors = []

    # pyx12 reports some errors only through its logger (e.g. when building its own 999 fails): keep them.
    class Keep(logging.Handler):
        def emit(self, record):
            message = record.getMessage().splitlines()[0]
            # Validation findings start with their location; pyx12's own trouble writing its 999 is not one.
            if record.levelno >= logging.ERROR and message.startswith("Line:"):
                errors.append(f"log: {message}")

    logger = logging.getLogger("pyx12")
    logger.handlers = [Keep()]
    logger.propagate = False

    param = pyx12.params.params()
    fd_json = io.StringIO()
    fd_997 = io.StringIO()
    with open(path, encoding="utf-8") as src:
        ok = pyx12.x12n_document.x12n_document(
            param=param, src_file=src, fd_997=fd_997, fd_html=None, fd_xmldoc=None, fd_json=fd_json
        )
    raw = fd_json.getvalue().strip()
    report = json.loads(raw) if raw else []
    rejected = []

    def walk(node, where):
        if isinstance(node, list):
            for item in node:
                walk(item, where)
            return
        if not isinstance(node, dict):
            return
        here = where
        if "seg_id" in node:
            here = f"{node['seg_id']}#{node.get('seg_count')} ({node.get('name')})"
        if "ele_pos" in node or "ele_ref" in node:
            here = f"{where} element {node.get('ele_pos', node.get('ele_ref'))}"
        for e in node.get("errors", []) or []:
            errors.append(f"{here}: {e.get('err_cde')} {e.get('err_str')}")
        if node.get("ack_code") not in (None, "A"):
            rejected.append(f"{node.get('trn_set_id') or node.get('fic')} ack {node['ack_code']}")
        for key, value in node.items():
            if key != "errors" and isinstance(value, (list, dict)):
                walk(value, here)

    walk(report, "ISA")
    return {"valid": bool(ok) and not errors and not rejected, "errors": errors + rejected}


def run_pyx12_segments(path):
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12context

    segments = []
    with open(path, encoding="utf-8") as src:
        reader = pyx12.x12context.X12ContextReader(pyx12.params.params(), pyx12.error_handler.errh_null(), src)
        for node in reader.iter_segments():
            seg = node.seg_data
            elements = []
            for n in range(1, len(seg) + 1):
                ele = seg.get("%02d" % n)
                if ele is None:
                    elements.append("")
                elif ele.is_composite():
                    elements.append([ele[k].get_value() for k in range(len(ele))])
                else:
                    elements.append(ele.get_value())
            segments.append({"loop": node.x12_map_node.parent.id, "id": seg.get_seg_id(), "elements": elements})
    return {"segments": segments}


def run_lfh(path):
    from linuxforhealth.x12.io import X12ModelReader

    errors = []
    models = []
    try:
        with X12ModelReader(path) as reader:
            for model in reader.models():
                models.append(json.loads(model.json(exclude_none=True)))
    except Exception as err:  # noqa: BLE001 - any failure is a validation failure here
        errors.append(f"{type(err).__name__}: {err}")
    return {"valid": len(errors) == 0, "errors": errors, "models": models}


def main():
    kind, path = sys.argv[1], sys.argv[2]
    runners = {"pyx12": run_pyx12, "pyx12-segments": run_pyx12_segments, "lfh": run_lfh}
    out = runners[kind](path)
    json.dump(out, sys.stdout, default=str)


if __name__ == "__main__":
    main()
