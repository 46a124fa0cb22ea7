"""Replicated fan-out registers: one registered copy of a value per few sinks.

A value that feeds multipliers spread across the die (one state word feeding a whole matmul
lane) makes the placer put its register at their centroid, far from every one of them: on
the ECP5-85F that route alone was 13 ns. With a copy per ``per_copy`` sinks, each copy has one
input and a few nearby outputs, so the placer puts it beside its multipliers.

Synthesis would merge the identical copies back into one; :data:`KEEP_COPIES` is the Yosys
command (run after reading the design) that marks their flip-flops ``keep``.
"""
from amaranth import Signal

__all__ = ["KEEP_COPIES", "SUFFIX", "fanout"]

#: Name suffix (followed by the copy's index) of every replicated register.
SUFFIX = "_fan"
#: Yosys command that keeps the flip-flops driving replicated registers from being merged.
KEEP_COPIES = f"setattr -set keep 1 w:*{SUFFIX}* %ci1 t:$dff %i"


def fanout(m, value, name, sinks, per_copy):
    """``sinks`` references to registered copies of ``value`` (one clock cycle later), one
    copy per ``per_copy`` consecutive sinks."""
    copies = [Signal(value.shape(), name=f"{name}{SUFFIX}{k}", reset_less=True)
              for k in range(-(-sinks // per_copy))]
    m.d.sync += [copy.eq(value) for copy in copies]
    return [copies[i // per_copy] for i in range(sinks)]
