"""Hard-multiplier products with registered operands and a registered product (latency 2).

Every product meant for a hard multiplier is an instance of the FPGA's multiplier cell, with
its registers inside, so synthesis maps exactly what the RTL says:

- ``family="ecp5"``: a MULT18X18D with its A, B and output registers enabled (pipeline register
  bypassed). Yosys never packs fabric registers into it, and nextpnr would then place them next
  to the logic they feed, leaving a die-wide route on each side (15 ns on the ULX3S).
- ``family="ice40"``: an SB_MAC16, in its dual 8 x 8 mode for two products of 8-bit operands
  (doubling what the UP5K's 8 DSPs multiply), else in its 16 x 16 mode. The iCE40 flow does not
  run Yosys's ``ice40_dsp`` (``synth_ice40 -dsp``): in Yosys 0.70 it re-packs instantiated
  SB_MAC16s without looking at ``MODE_8x8``, turning each dual cell into one 16 x 16 product of
  the concatenated operands (:mod:`rtl.synth`).
- ``family=None`` (simulation): plain Amaranth, with the same latency.

When a board has fewer hard multipliers than a design wants, ``hard=False`` builds the product
from LUTs with the same latency: the partial products' two halves summed and registered, then
their sum registered.

:func:`registered_products` builds many products at once, two or one cycle late, pairing the
iCE40's 8-bit products two to an SB_MAC16.
"""
from amaranth import Cat, ClockSignal, Const, Instance, Signal

from .arith import adder_tree, partial_products, shift_add_product

__all__ = ["FAMILIES", "OPERAND_BITS", "MAC16_BITS", "DUAL_BITS", "registered_product",
           "registered_products"]

#: FPGA families (None: no FPGA, simulation).
FAMILIES = (None, "ice40", "ecp5")
#: MULT18X18D operand width (signed operands are sign-extended to it).
OPERAND_BITS = 18
#: SB_MAC16 operand width in its 16 x 16 mode.
MAC16_BITS = 16
#: Operand width of each half of an SB_MAC16 in its dual 8 x 8 mode.
DUAL_BITS = 8


def _fits(value, bits, cell):
    """``value`` checked to fit a ``bits``-wide operand of ``cell`` (signed or unsigned as the
    cell is told)."""
    if len(value) > bits:
        raise ValueError(f"a {cell} operand holds {bits} bits, not {value.shape()}")
    return value


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
    if family == "ice40":
        return _mac16(m, a, b, name, latency=2)
    if family is None:
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


def _widened(value, bits):
    """``value`` (at most ``bits`` wide) sign- or zero-extended to ``bits`` bits."""
    fill = value[-1] if value.shape().signed else Const(0, 1)
    return Cat(value, fill.replicate(bits - len(value)))


def _mac16_instance(m, name, a, b, signed_a, signed_b, latency, **params):
    """An SB_MAC16 multiplying ``a`` by ``b`` (16 bits each), its operands registered inside
    when ``latency`` is 2, its unused features tied off; returns its 32-bit output."""
    o32 = Signal(32)
    zero = Const(0, 1)
    m.submodules[name] = Instance(
        "SB_MAC16",
        p_A_REG=int(latency == 2), p_B_REG=int(latency == 2), p_C_REG=0, p_D_REG=0,
        p_A_SIGNED=int(signed_a), p_B_SIGNED=int(signed_b), **params,
        i_CLK=ClockSignal(), i_CE=Const(1, 1), i_A=a, i_B=b, i_C=Const(0, 16),
        i_D=Const(0, 16), **{f"i_{port}": zero for port in (
            "AHOLD", "BHOLD", "CHOLD", "DHOLD", "IRSTTOP", "IRSTBOT", "ORSTTOP", "ORSTBOT",
            "OLOADTOP", "OLOADBOT", "ADDSUBTOP", "ADDSUBBOT", "OHOLDTOP", "OHOLDBOT", "CI",
            "ACCUMCI", "SIGNEXTIN")},
        o_O=o32)
    return o32


def _mac16(m, a, b, name, latency):
    """``a * b`` (operands of at most 16 bits) on one SB_MAC16 in its 16 x 16 mode,
    ``latency`` cycles later: the product registered inside (its second pipeline register),
    and with ``latency=2`` the operands too."""
    a16 = _widened(_fits(a, MAC16_BITS, "SB_MAC16"), MAC16_BITS)
    b16 = _widened(_fits(b, MAC16_BITS, "SB_MAC16"), MAC16_BITS)
    o32 = _mac16_instance(m, name, a16, b16, a.shape().signed, b.shape().signed, latency,
                          p_MODE_8x8=0, p_PIPELINE_16x16_MULT_REG2=1, p_TOPOUTPUT_SELECT=3,
                          p_BOTOUTPUT_SELECT=3)
    product = Signal((a * b).shape(), name=name, reset_less=True)
    # every product of two 16-bit operands fits 32 bits of its own signedness
    m.d.comb += product.eq(o32.as_signed() if product.shape().signed else o32)
    return product


def _dual_mac16(m, low, high, latency):
    """``[a * b for a, b, hard, name in (low, high)]`` on one SB_MAC16 in its dual 8 x 8 mode
    (operands of at most 8 bits, signedness alike in both), ``latency`` cycles later: the
    products registered inside, and with ``latency=2`` the operands too."""
    (a_lo, b_lo, _, name), (a_hi, b_hi, _, name_hi) = low, high
    o32 = _mac16_instance(
        m, f"{name}_{name_hi}", Cat(_widened(a_lo, DUAL_BITS), _widened(a_hi, DUAL_BITS)),
        Cat(_widened(b_lo, DUAL_BITS), _widened(b_hi, DUAL_BITS)), a_lo.shape().signed,
        b_lo.shape().signed, latency, p_MODE_8x8=1, p_TOP_8x8_MULT_REG=1,
        p_BOT_8x8_MULT_REG=1, p_TOPOUTPUT_SELECT=2, p_BOTOUTPUT_SELECT=2)
    products = []
    for (a, b, _, product_name), half in zip((low, high), (o32[:16], o32[16:])):
        product = Signal((a * b).shape(), name=product_name, reset_less=True)
        # every product of two 8-bit operands fits 16 bits of its own signedness
        m.d.comb += product.eq(half.as_signed() if product.shape().signed else half)
        products.append(product)
    return products


def _single(m, operands, family, latency):
    a, b, hard, name = operands
    if latency == 2:
        return registered_product(m, a, b, name, family, hard)
    if family == "ice40" and hard:
        return _mac16(m, a, b, name, latency=1)
    product = Signal((a * b).shape(), name=name, reset_less=True)
    m.d.sync += product.eq(a * b if hard else shift_add_product(a, b))
    return product


def registered_products(m, operands, family=None, latency=2):
    """``[a * b for a, b, hard, name in operands]``, ``latency`` cycles later: with 2, each as
    :func:`registered_product` builds it; with 1, only the product registered (``hard``: an
    SB_MAC16 on the iCE40, else an inferred multiplier; otherwise
    :func:`rtl.arith.shift_add_product`). On the iCE40, hard
    products of operands of at most 8 bits share SB_MAC16s two at a time, in order among
    those whose signedness agrees."""
    if latency not in (1, 2):
        raise ValueError(f"latency must be 1 or 2, not {latency!r}")
    products = [None] * len(operands)
    waiting = {}            # signedness -> index of a product waiting for a partner
    for k, (a, b, hard, _) in enumerate(operands):
        if family == "ice40" and hard and len(a) <= DUAL_BITS and len(b) <= DUAL_BITS:
            key = (a.shape().signed, b.shape().signed)
            if key not in waiting:
                waiting[key] = k
                continue
            j = waiting.pop(key)
            products[j], products[k] = _dual_mac16(m, operands[j], operands[k], latency)
        else:
            products[k] = _single(m, operands[k], family, latency)
    for k in waiting.values():
        products[k] = _single(m, operands[k], family, latency)
    return products
