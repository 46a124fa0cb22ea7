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


def test_full_size_runs_render_whether_checked_or_not():
    """A full-size run where the board lost nothing shows how many records differ from the
    reference; one with events lost says its records were not checked."""
    run = {"board": "ulx3s-85f", "core": "multipixel(rows=32, batch=8, slots=3)",
           "clock_mhz": 62.5, "baud": 3_000_000, "photons": 1100, "events": 281_857,
           "records": 256, "des_records": 256, "lost": 0, "des_lost": 0, "wrong": 0,
           "cycles_per_pixel": 3299.6, "pixels_per_s": 18942.0, "latency": 90_000,
           "des_pixels_per_s": 18941.9, "des_latency": 90_003, "error": -1e-5, "seconds": 900}
    lossy = {**run, "photons": 1000, "records": 238, "des_records": 232, "lost": 29_101,
             "des_lost": 29_086, "wrong": None}
    text = section_body({"cases": [], "full": [run, lossy]})
    assert "| 1100 | 281,857 | 256 / 256 | 0 / 0 | 3,299.6 | 18,942 | 18,942 | -0.00 % |" in text
    assert "| 90,000 / 90,003 | 0 | 900 |" in text
    assert "| 238 / 232 | 29,101 / 29,086 |" in text
    assert "| not checked (events lost) | 900 |" in text
