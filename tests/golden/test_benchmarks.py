from golden.benchmarks import table, update_section


def test_sections_are_replaced_in_place(tmp_path):
    path = tmp_path / "B.md"
    update_section("a", "First", "one", "cmd a", path=path)
    update_section("b", "Second", "two", "cmd b", path=path, data={"x": 1})
    update_section("a", "First", "uno", "cmd a2", path=path)
    text = path.read_text()
    assert text.count("## First") == 1 and "uno" in text and "one" not in text
    assert text.index("## First") < text.index("## Second")
    assert "Produced by `cmd a2`" in text and '"x": 1' in text


def test_table_formats_missing_cells():
    assert table(["a", "b"], [[1.23456, None]]) == "| a | b |\n|---|---|\n| 1.235 | – |"
