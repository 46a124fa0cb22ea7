"""Queue-based discrete-event model of the multi-pixel core (STOMP-like), on SimPy.

Tasks queue on servers with service times in clock cycles, mirroring
:class:`rtl.multipixel.MultiPixelCore`:

=================  ========================================================================
server             tasks and service time
=================  ========================================================================
``preprocess``     per pixel: load ``T`` counts, settle, emit ``T`` inputs at three cycles each
                   into a free slot's lane (the emission waits for the slot)
``matmul``         per GRU step of a slot and layer: ``1 + (3H/rows) * K`` (select, then one
                   weight word per cycle on ``rows x batch`` multipliers), ``K = H`` for the
                   first layer (``W_hh h``; its scalar input is multiplied in the gate unit)
                   and ``K = 2H`` for a stacked layer (``[W_ih W_hh] [h_below; h]``); the
                   slot's gates may start ``MatmulUnit.latency(rows)`` cycles after it
                   (pipeline and accumulator drain)
``gates``          per GRU step of a slot and layer: ``1 + H`` (one hidden unit per cycle);
                   the slot may request its next matmul ``GateUnit.LATENCY`` cycles after it
``divider``        per lane of a finished slot: four sequential divisions, the first lane
                   ``LanePick.SETTLE`` cycles after the slot is selected
=================  ========================================================================

A pluggable ``policy`` orders the requests waiting for a server: ``"round-robin"`` (first come,
first served, what the RTL does), ``"in-order"`` (lowest pixel number first) or
``"earliest-finish"`` (the slot with the fewest steps left first). ``slots=1, batch=1`` is the
"manual scheduling" baseline: one pixel at a time, operations in program order.

The RTL implements one layer (Seq2SeqLite); ``layers > 1`` (the 2-layer teacher) runs the same
machine with the stacked layers' steps in program order, and is a prediction only.
"""
import simpy

from rtl.config import CoreConfig
from rtl.gates import GateUnit
from rtl.matmul import MatmulUnit
from rtl.preprocess import CYCLES_PER_INPUT, SETTLE_CYCLES
from rtl.result import LanePick

__all__ = ["POLICIES", "CoreModel", "simulate", "baseline"]

POLICIES = ("round-robin", "in-order", "earliest-finish")
DIVISION = 19              # cycles per division: handshake, range check, 16 quotient bits, done
RESULT = 4 * DIVISION + 2  # a lane through the result unit, accept to accept


class CoreModel:
    """The core's servers and processes, for ``pixels`` pixels in frames of ``frame_pixels``
    (a flush token after each). What feeds it and what takes its results are hooks:
    :meth:`load` (default: counts back to back) and :meth:`result` (default: recorded in
    ``done``), for models of a whole board path to override (``boards/path.py``)."""

    def __init__(self, core, *, bins, hidden, layers, policy, pixels, frame_pixels=None):
        if policy not in POLICIES:
            raise ValueError(f"policy must be one of {POLICIES}, not {policy!r}")
        self.c, self.policy, self.pixels = core, policy, pixels
        self.frame_pixels = frame_pixels or pixels
        self.bins, self.hidden, self.layers = bins, hidden, layers
        self.groups = 3 * hidden // core.rows
        self.env = simpy.Environment()
        self.matmul = simpy.PriorityResource(self.env, capacity=1)
        self.gates = simpy.PriorityResource(self.env, capacity=1)
        self.divider = simpy.Resource(self.env, capacity=1)
        self.free_slots = simpy.Store(self.env)
        self.done = []
        self.matmul_busy = 0

    def matmul_cycles(self, layer):
        """Weight words the matmul unit reads for one step of ``layer`` (0 = first)."""
        return self.groups * self.hidden * (1 if layer == 0 else 2)

    def priority(self, first_pixel, steps_left):
        if self.policy == "in-order":
            return first_pixel
        if self.policy == "earliest-finish":
            return steps_left
        return 0                                  # equal priorities: first come, first served

    def load(self, pixel):
        """The ``T`` counts of ``pixel`` into the preprocessor, which is ready for them now:
        back to back, one a cycle. Returns ``True``; a model whose input ends frames by itself
        returns ``False`` where a flush token comes instead of the pixel."""
        yield self.env.timeout(self.bins)
        return True

    def preprocess(self):
        """Pixels one after another; each batch of lanes (cut at the end of a frame of
        ``frame_pixels``, or where :meth:`load` meets a flush token) is handed to a slot
        process. A pixel's counts load while the previous slot is busy; its inputs wait for a
        free slot."""
        c, env = self.c, self.env
        pixel = 0
        while pixel < self.pixels:
            most = min(c.batch, self.pixels - pixel,
                       self.frame_pixels - pixel % self.frame_pixels)
            lanes = 0
            while lanes < most and (yield from self.load(pixel + lanes)):
                # the shifts settle, the first input is read and clipped
                yield env.timeout(SETTLE_CYCLES + CYCLES_PER_INPUT - 1)
                if lanes == 0:
                    slot = yield self.free_slots.get()
                yield env.timeout(CYCLES_PER_INPUT * (self.bins - 1) + 1)     # T inputs out
                lanes += 1
            if lanes:
                env.process(self.run_slot(slot, pixel, lanes))
                pixel += lanes

    def result(self, time):
        """A result leaves the core at ``time``."""
        self.done.append(time)

    def run_slot(self, slot, first_pixel, lanes):
        c, env = self.c, self.env
        steps = 2 * self.bins
        for step in range(steps):
            priority = self.priority(first_pixel, steps - step)
            for layer in range(self.layers):
                with self.matmul.request(priority=priority) as request:
                    yield request
                    self.matmul_busy += self.matmul_cycles(layer)
                    yield env.timeout(1 + self.matmul_cycles(layer))
                yield env.timeout(MatmulUnit.latency(c.rows))
                with self.gates.request(priority=priority) as request:
                    yield request
                    yield env.timeout(1 + self.hidden)
                yield env.timeout(GateUnit.LATENCY)
        with self.divider.request() as request:
            yield request
            # the result FSM selects the slot; its first lane's results settle (later lanes
            # settle while the divider works)
            yield env.timeout(1 + LanePick.SETTLE)
            for lane in range(lanes):
                yield env.timeout(RESULT if lane else 1)
                self.result(env.now + RESULT - 1)
            yield env.timeout(1)
            self.free_slots.put(slot)
            yield env.timeout(RESULT - 2)         # the last lane's divisions

    def run(self):
        for slot in range(self.c.slots):
            self.free_slots.put(slot)
        self.env.process(self.preprocess())
        self.env.run()
        return sorted(self.done)


def simulate(core, *, bins=135, hidden=32, layers=1, pixels=None, policy="round-robin"):
    """Predict the timing of the core configured by ``core`` (:class:`rtl.config.CoreConfig`)
    for a network of ``layers`` GRU layers of ``hidden`` units on ``bins``-step histograms, over
    ``pixels`` back-to-back pixels (default: four rounds).

    Returns a dict: ``cycles_per_pixel`` (steady state: the interval between the last
    result of the first round and the last result, per pixel), ``latency`` (first result),
    ``matmul_busy`` (share of cycles in which the matmul unit issues, over the run).
    """
    pixels = pixels or 4 * core.lanes
    if pixels < 2 * core.lanes:
        raise ValueError(f"pixels must be at least two rounds ({2 * core.lanes}), not {pixels}")
    model = CoreModel(core, bins=bins, hidden=hidden, layers=layers, policy=policy, pixels=pixels)
    done = model.run()
    warm = core.lanes - 1
    interval = (done[-1] - done[warm]) / (len(done) - 1 - warm)
    return {"cycles_per_pixel": interval, "latency": done[0],
            "matmul_busy": model.matmul_busy / done[-1]}


def baseline(multipliers, *, hidden=32):
    """The "manual scheduling" baseline on a multiplier budget: one pixel at a time, program
    order (``slots = batch = 1``), the largest legal row count (at most ``H``) that fits."""
    rows = max(r for r in range(1, hidden + 1) if (3 * hidden) % r == 0 and r <= multipliers)
    return CoreConfig(rows=rows, batch=1, slots=1)
