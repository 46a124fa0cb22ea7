"""Writing measured figures into BENCHMARKS.md, one marked section per producing command."""
import json
import re
import shlex
import sys
from pathlib import Path

__all__ = ["BENCHMARKS", "update_section", "table", "command_line"]

BENCHMARKS = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"


def command_line(package):
    """The command that is running, as the user would type it: ``python -m PACKAGE ...``."""
    return f"python -m {package} " + shlex.join(sys.argv[1:])


def table(header, rows):
    """A Markdown table; ``None`` cells print as an en dash."""
    fmt = lambda v: "–" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v))
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def update_section(name, title, body, command, path=BENCHMARKS, data=None):
    """Replace (or append) section ``name`` with ``body`` and the command that produced it."""
    path = Path(path)
    text = path.read_text() if path.exists() else "# tauflow benchmarks\n\nEvery figure here " \
        "was measured on the project machine (2 cores, no GPU) by the command shown with it.\n"
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n## {title}\n\nProduced by `{command}`\n\n{body}\n"
    if data is not None:
        block += f"\n<details><summary>raw JSON</summary>\n\n```json\n" \
                 f"{json.dumps(data, indent=1)}\n```\n</details>\n"
    block += end
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else \
        text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)
