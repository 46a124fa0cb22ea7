"""Hard-multiplier products with registered operands and a registered product (latency 2).

Registers in front of and behind a multiplier only help Fmax if they sit beside it. Yosys packs
them into an iCE40 SB_MAC16 itself, but never into an ECP5 MULT18X18D, and nextpnr then places
fabric registers next to the logic they feed, leaving a die-wide route on each side of the
multiplier (15 ns of routing on the ULX3S). For ``family="ecp5"`` the product is therefore a
MULT18X18D instance with its A, B and output registers enabled (pipeline register bypassed);
otherwise it is plain Amaranth (simulation, iCE40), with the same two-cycle latency.

When a board has fewer hard multipliers than a design wants, ``hard=False`` builds the product
from LUTs with the same latency: the partial products' two halves summed and registered, then
their sum registered.
"""
from amaranth import ClockSignal, Const, Instance, Signal

from .arith import adder_tree, partial_products

__all__ = ["FAMILIES", "OPERAND_BITS", "registered_product"]

#: FPGA families; only ``"ecp5"`` instantiates its multiplier (None: no FPGA, simulation).
FAMILIES = (None, "ice40", "ecp5")
#: MULT18X18D operand width (signed operands are sign-extended to it).
OPERAND_BITS = 18


def _sign_extended(value):
    if len(value) > OPERAND_BITS or (len(value) == OPERAND_BITS and not value.shape().signed):
        raise ValueError(f"a MULT18X18D operand holds {OPERAND_BITS} signed bits, not "
                         f"{value.shape()}")
    return value.as_signed() if value.shape().signed else value


def _lut_product(m, a, b, product):
    """``product`` two cycles after ``a`` and ``b``, from LUTs over the bits of the narrower."""
    if len(b) > len(a):
        a, b = b, a
    terms = partial_products(a, b)
    halves = [adder_tree(terms[:len(terms) // 2] or [Const(0)]),
              adder_tree(terms[len(terms) // 2:])]
    regs = [Signal(half.shape(), name=f"{product.name}_half{k}", reset_less=True)
            for k, half in enumerate(halves)]
    m.d.sync += [reg.eq(half) for reg, half in zip(regs, halves)]
    m.d.sync += product.eq(regs[0] + regs[1])


def registered_product(m, a, b, name, family=None, hard=True):
    """``a * b`` two cycles later: operands registered, then the product registered (on a
    hard multiplier, or from LUTs if not ``hard``). ``a`` and ``b`` are signed or unsigned
    Amaranth values; the product keeps Amaranth's width and signedness."""
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, not {family!r}")
    product = Signal((a * b).shape(), name=name, reset_less=True)
    if not hard:
        _lut_product(m, a, b, product)
        return product
    if family != "ecp5":
        a_reg = Signal(a.shape(), name=f"{name}_a", reset_less=True)
        b_reg = Signal(b.shape(), name=f"{name}_b", reset_less=True)
        m.d.sync += [a_reg.eq(a), b_reg.eq(b), product.eq(a_reg * b_reg)]
        return product
    a18, b18 = Signal(OPERAND_BITS), Signal(OPERAND_BITS)
    p36 = Signal(2 * OPERAND_BITS)
    m.d.comb += [a18.eq(_sign_extended(a)), b18.eq(_sign_extended(b)),
                 product.eq(p36[:len(product)])]
    signed = lambda value: Const(int(value.shape().signed), 1)
    m.submodules[name] = Instance(
        "MULT18X18D",
        p_REG_INPUTA_CLK="CLK0", p_REG_INPUTB_CLK="CLK0", p_REG_OUTPUT_CLK="CLK0",
        p_REG_INPUTC_CLK="NONE", p_REG_PIPELINE_CLK="NONE", p_GSR="DISABLED",
        i_CLK0=ClockSignal(), i_CE0=Const(1, 1), i_RST0=Const(0, 1),
        i_SIGNEDA=signed(a), i_SIGNEDB=signed(b), i_SOURCEA=Const(0, 1), i_SOURCEB=Const(0, 1),
        **{f"i_A{i}": a18[i] for i in range(OPERAND_BITS)},
        **{f"i_B{i}": b18[i] for i in range(OPERAND_BITS)},
        **{f"i_C{i}": Const(0, 1) for i in range(OPERAND_BITS)},
        **{f"o_P{i}": p36[i] for i in range(2 * OPERAND_BITS)})
    return product
