"""Seeded, resumable training with progress bars, optional knowledge distillation.

The loss is the mean squared error over the three output sequences, with the first decoder step
weighted ``FIRST_STEP_WEIGHT`` times (lifetimes are integrals over first values). With a teacher,
the student's target is ``kd_alpha * teacher + (1 - kd_alpha) * ground truth``.
"""
import math
import time
from pathlib import Path

import numpy as np
import torch

from .fixed import FixedSpec
from .lifetimes import lifetimes_from_sequences
from .physics import Acquisition, decay_components
from .preprocess import preprocess
from .progress import progress_bar

__all__ = ["network_inputs", "network_targets", "sequence_loss", "train", "predict",
           "float_lifetimes"]

FIRST_STEP_WEIGHT = 10.0
VALIDATION_SHARE = 0.05


def network_inputs(counts, spec=FixedSpec()):
    """Float network input ``(N, T)`` (exactly the Q0.``input_bits`` integers of
    :func:`golden.preprocess.preprocess` over ``2**input_bits``) and the valid mask."""
    x, valid = preprocess(counts, spec)
    return x.astype(np.float32) / (1 << spec.input_bits), valid


def network_targets(data, acq=Acquisition(), step_ns=None):
    """Deconvolved decay sequences ``(N, T, 3)`` for a dataset's parameters, a sample every
    ``step_ns`` (default: the bin width)."""
    return decay_components(data["tau1"], data["tau2"], data["frac"], acq=acq,
                            step_ns=step_ns).astype(np.float32)


def sequence_loss(pred, target):
    weight = torch.ones(pred.shape[1], 1, device=pred.device)
    weight[0] = FIRST_STEP_WEIGHT
    return ((pred - target).square() * weight).mean()


def _warmup_cosine(step, total, warmup_share=0.05):
    """Learning-rate factor: linear warm-up, then cosine decay to zero."""
    warmup = max(1, int(total * warmup_share))
    if step < warmup:
        return (step + 1) / warmup
    return 0.5 * (1 + math.cos(math.pi * min(step - warmup, total) / max(total - warmup, 1)))


@torch.no_grad()
def predict(model, x, batch_size=2048):
    """Run ``model`` over ``x`` ``(N, T)`` in batches; returns a numpy ``(N, T, 3)`` array."""
    model.eval()
    out = [model(torch.as_tensor(x[i:i + batch_size])).numpy()
           for i in range(0, len(x), batch_size)]
    return np.concatenate(out) if out else np.zeros((0, x.shape[1], 3), np.float32)


def float_lifetimes(model, counts, step_ns, spec=FixedSpec()):
    """Lifetimes of ``counts`` ``(N, T)`` from a float network whose outputs are ``step_ns``
    apart (:attr:`golden.datasets.Instrument.step_ns`), given ``spec``'s inputs: a dict
    of ``(N,)`` arrays (:func:`~golden.lifetimes.lifetimes_from_sequences`, NaN where the pixel
    is not valid) and the valid mask of :func:`network_inputs`."""
    x, valid = network_inputs(counts, spec)
    with torch.inference_mode():
        pred = lifetimes_from_sequences(predict(model, x), step_ns)
    return {k: np.where(valid, v, np.nan) for k, v in pred.items()}, valid


def train(model, x, y, *, epochs, batch_size=256, lr=2e-3, seed=0, checkpoint=None,
          teacher_y=None, kd_alpha=0.5, max_minutes=None, log=print):
    """Train ``model`` on inputs ``x`` ``(N, T)`` and targets ``y`` ``(N, T, 3)``.

    Parameters
    ----------
    checkpoint : path, optional
        Saved after every epoch; if it exists, training resumes from it.
    teacher_y : array ``(N, T, 3)``, optional
        Teacher outputs for knowledge distillation.
    max_minutes : float, optional
        Stop after the epoch during which this wall-clock budget runs out.

    Returns
    -------
    list of dict
        One entry per epoch: ``epoch``, ``train_loss``, ``val_loss``, ``seconds``.
    """
    if not isinstance(epochs, int) or epochs <= 0:
        raise ValueError(f"epochs must be a positive integer, not {epochs!r}")
    if len(x) != len(y):
        raise ValueError(f"inputs and targets differ in length: {len(x)} != {len(y)}")
    if teacher_y is not None:
        y = kd_alpha * teacher_y + (1 - kd_alpha) * y
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(x))
    n_val = max(1, int(len(x) * VALIDATION_SHARE))
    val_idx, train_idx = order[:n_val], order[n_val:]
    x_val, y_val = x[val_idx], torch.as_tensor(y[val_idx])
    steps_per_epoch = math.ceil(len(train_idx) / batch_size)

    torch.manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: _warmup_cosine(step, epochs * steps_per_epoch))
    history, start_epoch = [], 0
    if checkpoint and Path(checkpoint).exists():
        state = torch.load(checkpoint, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        history, start_epoch = state["history"], state["epoch"]
        log(f"resumed from {checkpoint} at epoch {start_epoch}")

    began = time.monotonic()
    with progress_bar() as bar:
        task = bar.add_task("training", total=(epochs - start_epoch) * steps_per_epoch,
                            status="")
        for epoch in range(start_epoch, epochs):
            t0 = time.monotonic()
            model.train()
            perm = np.random.default_rng([seed, epoch]).permutation(train_idx)
            total = 0.0
            for step in range(steps_per_epoch):
                idx = perm[step * batch_size:(step + 1) * batch_size]
                loss = sequence_loss(model(torch.as_tensor(x[idx])), torch.as_tensor(y[idx]))
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                schedule.step()
                total += loss.item()
                bar.update(task, advance=1, status=f"epoch {epoch + 1}/{epochs} "
                                                   f"loss {total / (step + 1):.5f}")
            val = float(sequence_loss(torch.as_tensor(predict(model, x_val)), y_val))
            history.append({"epoch": epoch + 1, "train_loss": total / steps_per_epoch,
                            "val_loss": val, "seconds": time.monotonic() - t0})
            log(f"epoch {epoch + 1}: train {history[-1]['train_loss']:.5f} val {val:.5f}")
            if checkpoint:
                torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                            "schedule": schedule.state_dict(), "history": history,
                            "epoch": epoch + 1}, checkpoint)
            if max_minutes is not None and time.monotonic() - began > 60 * max_minutes:
                log(f"stopping after epoch {epoch + 1}: {max_minutes} min budget used")
                break
    return history
