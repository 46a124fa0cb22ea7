"""One configuration of the multi-pixel core, as the core, the discrete-event model, the
explorer, the board builds and the command lines all take it."""
from dataclasses import asdict, dataclass, fields, replace

from .dsp import FAMILIES
from .gates import GATE_PRODUCTS

__all__ = ["CoreConfig", "SIMULATED", "add_core_arguments", "core_from_arguments"]


def _positive(name, value):
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, not {value!r}")


@dataclass(frozen=True)
class CoreConfig:
    """:class:`rtl.multipixel.MultiPixelCore`'s hardware parameters.

    Attributes
    ----------
    rows : int
        Weight rows per matmul cycle (it must divide ``3H`` and be at most ``H``: the core
        checks that against its model).
    batch : int
        Lanes per slot (pixels sharing each weight read); ``rows * batch`` matmul multipliers.
    slots : int
        Slots in flight; two keep both units busy.
    gate_luts : bool
        Build the gate and head units' multipliers from LUTs (shift and add), leaving the hard
        DSPs to the matmul.
    gate_dsps : int
        With ``gate_luts``: this many of each lane's gate products (the widest first, in
        :data:`rtl.gates.GATE_PRODUCTS` order) stay on hard multipliers.
    matmul_dsps : int or None
        Matmul products on hard multipliers (lane by lane, row by row); the rest from LUTs.
        ``None``: all of them.
    family : None, "ice40" or "ecp5"
        The FPGA the core is built for (:func:`rtl.dsp.registered_products`); ``None``:
        plain Amaranth products, as in simulation.
    """
    rows: int = 8
    batch: int = 1
    slots: int = 2
    gate_luts: bool = False
    gate_dsps: int = 0
    matmul_dsps: int = None
    family: str = None

    def __post_init__(self):
        for name in ("rows", "batch", "slots"):
            _positive(name, getattr(self, name))
        if (not isinstance(self.gate_dsps, int) or not 0 <= self.gate_dsps <= len(GATE_PRODUCTS)
                or (self.gate_dsps and not self.gate_luts)):
            raise ValueError(f"gate_dsps must be 0 .. {len(GATE_PRODUCTS)} and needs "
                             f"gate_luts, not {self.gate_dsps}")
        if self.family not in FAMILIES:
            raise ValueError(f"family must be one of {FAMILIES}, not {self.family!r}")
        if self.matmul_dsps is not None and (not isinstance(self.matmul_dsps, int)
                                             or not 0 <= self.matmul_dsps <= self.multipliers):
            raise ValueError(f"matmul_dsps must be 0 .. {self.multipliers} (rows x batch), "
                             f"not {self.matmul_dsps!r}")

    @property
    def lanes(self):
        return self.slots * self.batch

    @property
    def multipliers(self):
        """Recurrent-matmul multipliers (the gate unit has :data:`GATE_PRODUCTS` per lane)."""
        return self.rows * self.batch

    @property
    def hard_matmul(self):
        """Matmul products on hard multipliers."""
        return self.multipliers if self.matmul_dsps is None else self.matmul_dsps

    @property
    def hard_gates(self):
        """The gate unit's products on hard multipliers."""
        return GATE_PRODUCTS[:self.gate_dsps] if self.gate_luts else GATE_PRODUCTS

    def params(self):
        """The configuration without its family, as reports record it (``matmul_dsps`` only
        if set)."""
        return {k: v for k, v in asdict(self).items()
                if k != "family" and not (k == "matmul_dsps" and v is None)}

    def label(self):
        """``multipixel(rows=..., ...)``, for tables and messages."""
        return "multipixel(" + ", ".join(f"{k}={v}" for k, v in self.params().items()) + ")"

    def replace(self, **changes):
        """A copy with ``changes``; ``None`` values change nothing."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


#: The core ``python -m sim run --backend rtl`` simulates and ``python -m rtl elaborate`` writes
#: unless told otherwise: eight pixels in flight, 128 matmul multipliers.
SIMULATED = CoreConfig(rows=32, batch=4, slots=2)

#: The command-line options of :func:`add_core_arguments`, by field.
_OPTIONS = {"rows": int, "batch": int, "slots": int, "gate_dsps": int, "matmul_dsps": int}


def add_core_arguments(parser, default):
    """``--rows --batch --slots --gate-luts --gate-dsps --matmul-dsps``, each defaulting to
    ``default`` (a :class:`CoreConfig`, or a text naming where the default comes from)."""
    given = lambda name: (getattr(default, name) if isinstance(default, CoreConfig)
                          else default)
    helps = {"rows": "weight rows per matmul cycle", "batch": "lanes per slot",
             "slots": "slots in flight",
             "gate_dsps": "with --gate-luts: this many of each lane's widest gate products stay "
                          "on DSPs",
             "matmul_dsps": "matmul products on DSPs (the rest from LUTs)"}
    group = parser.add_argument_group("core")
    for name, kind in _OPTIONS.items():
        group.add_argument(f"--{name.replace('_', '-')}", type=kind, default=None,
                           help=f"{helps[name]} (default: {given(name)})")
    group.add_argument("--gate-luts", action="store_true", default=None,
                       help="gate and head multipliers from LUTs, not DSPs (default: "
                            f"{given('gate_luts')})")


def core_from_arguments(args, base):
    """``base`` with the options of :func:`add_core_arguments` that were given."""
    return base.replace(**{f.name: getattr(args, f.name, None) for f in fields(CoreConfig)
                           if f.name != "family"})
