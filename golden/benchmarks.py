"""Measured figures as data: every measuring command records its section (its raw figures, the
command that produced them and the module that renders them) as ``results/NAME.json``;
:func:`render` writes BENCHMARKS.md from those files alone (``python -m golden report``).
Nothing reads Markdown back, and no Markdown is stored."""
import importlib
import json
import shlex
import sys
from pathlib import Path

__all__ = ["RESULTS", "BENCHMARKS", "ORDER", "update_section", "load_section", "section_body",
           "render", "table", "command_line"]

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results"
BENCHMARKS = ROOT / "BENCHMARKS.md"
#: The sections in the document's order; others follow by name.
ORDER = ("golden-eval", "golden-sweep", "golden-speed", "rtl-cycles", "boards", "des-validation",
         "photon-path", "pins-path",
         "explore-ulx3s-85f", "explore-icebreaker", "explore-ulx3s-85f-teacher", "bench",
         "real-recordings")
HEADER = ("# tauflow benchmarks\n\nEvery figure here was measured on the project machine "
          "(2 cores, no GPU) by the command shown with it. Rendered from `results/*.json` by "
          "`python -m golden report`.\n")


def command_line(package):
    """The command that is running, as the user would type it: ``python -m PACKAGE ...``."""
    return f"python -m {package} " + shlex.join(sys.argv[1:])


def table(header, rows):
    """A Markdown table; ``None`` cells print as an en dash."""
    fmt = lambda v: "–" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v))
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def update_section(name, title, command, data, *, renderer, results=RESULTS):
    """Record section ``name``: its ``title``, the ``command`` that produced it, its raw ``data``
    (JSON) and its ``renderer``, the name of the module whose ``section_body(data)`` writes its
    Markdown; as ``results/NAME.json``, replacing an earlier one."""
    results = Path(results)
    results.mkdir(parents=True, exist_ok=True)
    record = {"name": name, "title": title, "command": command, "renderer": renderer,
              "data": data}
    (results / f"{name}.json").write_text(json.dumps(record, indent=1) + "\n")


def load_section(name, results=RESULTS):
    """The record :func:`update_section` stored under ``name``, or ``None``."""
    path = Path(results) / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def section_body(record):
    """The Markdown of a recorded section: its renderer's ``section_body`` of its data."""
    return importlib.import_module(record["renderer"]).section_body(record["data"])


def _block(record):
    name = record["name"]
    return (f"<!-- {name}:start -->\n## {record['title']}\n\nProduced by "
            f"`{record['command']}`\n\n{section_body(record)}\n"
            f"\n<details><summary>raw JSON</summary>\n\n```json\n"
            f"{json.dumps(record['data'], indent=1)}\n```\n</details>\n<!-- {name}:end -->")


def render(results=RESULTS, path=BENCHMARKS):
    """Write ``path`` from every record in ``results``: :data:`ORDER` first, then by name."""
    records = {p.stem: json.loads(p.read_text()) for p in Path(results).glob("*.json")}
    names = [n for n in ORDER if n in records] + sorted(set(records) - set(ORDER))
    Path(path).write_text(HEADER + "".join("\n" + _block(records[n]) + "\n" for n in names))
