"""``python -m boards pins``: one small case end to end (the board top on its pins in RTL
simulation beside the model), its printed line and its section of BENCHMARKS.md."""
import re

from boards.__main__ import main
from boards.cli_pins import section_body


def test_one_case_printed_and_rendered(capsys, monkeypatch):
    """A 16-event queue under one frame of 5 photons a pixel: what the board lost and what the
    model lost are printed, equal; the recorded case renders as a row of the section."""
    recorded = {}
    monkeypatch.setattr("boards.cli_pins.update_section",
                        lambda name, title, command, data, renderer: recorded.update(data))
    assert main(["pins", "--cases", "16,5,0", "--frames", "1"]) == 0
    line = re.search(r"RTL ([\d.]+) cycles/pixel, (\d+) lost; DES ([\d.]+), (\d+) lost",
                     " ".join(capsys.readouterr().out.split()))
    assert line and line[2] == line[4]
    (case,) = recorded["cases"]
    assert (case["queue"], case["photons"], case["gap"], case["frames"]) == (16, 5, 0, 1)
    assert case["rtl"]["lost"] == case["des"]["lost"] == int(line[2])
    assert f"| 16 | 5 | 0 | {case['events']} |" in section_body(recorded)
