"""Building blocks of the core's pipelines: registered datapath values, control fields carried
down a pipeline, and constant tables."""
from amaranth import Array, Signal, signed
from amaranth.lib.memory import Memory

__all__ = ["registered", "control_pipeline", "scaled", "rom"]


def registered(m, value, name, stages=1):
    """``value`` registered ``stages`` times (datapath registers, without reset)."""
    for n in range(stages):
        reg = Signal(value.shape(), name=f"{name}_d{n}", reset_less=True)
        m.d.sync += reg.eq(value)
        value = reg
    return value


def control_pipeline(m, prefix, depth, fields):
    """Control fields ``{name: (shape, value)}`` registered ``1 .. depth`` times; returns
    ``[None, stage1, ..., stage_depth]``, each a dict of signals named ``{prefix}{n}_{name}``."""
    stages = [None] + [{k: Signal(shape, name=f"{prefix}{n}_{k}")
                        for k, (shape, _) in fields.items()} for n in range(1, depth + 1)]
    m.d.sync += [stages[1][k].eq(value) for k, (_, value) in fields.items()]
    for before, after in zip(stages[1:], stages[2:]):
        m.d.sync += [after[k].eq(before[k]) for k in fields]
    return stages


def scaled(index, stride, count):
    """``index * stride`` (``index < count``) from a table of constants: Yosys would give the
    product a hard multiplier."""
    return Array(k * stride for k in range(count))[index]


def rom(m, name, values):
    """A ROM of signed constants in the narrowest signed shape (-128 takes 8 bits, not 9: 8-bit
    products pair on the iCE40); returns its read port."""
    values = [int(v) for v in values]
    shape = signed(max((~v if v < 0 else v).bit_length() for v in values) + 1)
    m.submodules[name] = memory = Memory(shape=shape, depth=len(values), init=values)
    return memory.read_port()
