from sim.cocotb_run import kick_initial_evaluation


def test_kick_toggles_the_yosys_trigger_once():
    src = "module m;\n  reg \\$auto$verilog_backend.cc:1:dump_module$1  = 0;\n  reg other = 0;\nendmodule"
    out = kick_initial_evaluation(src)
    assert out.count("initial #0.001 \\$auto$verilog_backend.cc:1:dump_module$1 = 1;") == 1
    assert "initial" not in kick_initial_evaluation("reg other = 0;")


def test_constant_blocks_become_initial():
    src = "  always @*\n    step__payload[264:9] = 256'h0000;\nendmodule\n"
    assert kick_initial_evaluation(src) == "  initial\n    step__payload[264:9] = 256'h0000;\nendmodule\n"
    live = "  always @*\n    a = b;\n"
    assert kick_initial_evaluation(live) == live
