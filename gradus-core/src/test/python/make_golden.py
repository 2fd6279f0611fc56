#!/usr/bin/env python3
"""Writes src/test/resources/golden/trajectories.json: training trajectories from PyTorch.

Each case trains the same tiny network (3 -> 4 tanh -> 2 outputs) from the same initial
weights on the same 8 rows, full batch, for STEPS steps, and records the loss before every
step and the flat parameters (W0, b0, W1, b1; weights [out, in] row-major) after the last one.

PyTorch runs in float64 so the fixtures hold the exact mathematics; the float32 Java code is
compared with a tolerance. Initial weights and data are rounded to float32 first, so both
sides start from identical numbers. The seed's loss is written out as ((yhat - y)**2).sum()/N,
never MSELoss (which divides by N*k).

Run from the repository root with Debian's PyTorch (apt-get install python3-torch):
    /usr/bin/python3 gradus-core/src/test/python/make_golden.py
Tests read the JSON only; they never need Python.
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
STEPS = 6
N, IN, HIDDEN, OUT = 8, 3, 4, 2
OUT_PATH = os.path.join(os.path.dirname(__file__), "..", "resources", "golden", "trajectories.json")


def f32(t):
    """Round to float32 and back, so Java starts from the same values."""
    return t.float().double()


g = torch.Generator().manual_seed(20240501)
X = f32(torch.randn(N, IN, generator=g))
Y_REG = f32(torch.randn(N, OUT, generator=g))
CLASSES = torch.tensor([0, 1, 1, 0, 1, 0, 0, 1])
Y_ONEHOT = torch.nn.functional.one_hot(CLASSES, OUT).double()
Y_BINARY = torch.tensor([[1, 0], [0, 1], [1, 1], [0, 0], [1, 0], [0, 1], [1, 1], [0, 0]]).double()
W0 = f32(torch.empty(HIDDEN, IN).uniform_(-0.9, 0.9, generator=g))
B0 = f32(torch.empty(HIDDEN).uniform_(-0.3, 0.3, generator=g))
W1 = f32(torch.empty(OUT, HIDDEN).uniform_(-0.9, 0.9, generator=g))
B1 = f32(torch.empty(OUT).uniform_(-0.3, 0.3, generator=g))


def flat(params):
    return torch.cat([p.detach().reshape(-1) for p in params]).tolist()


def loss_fn(name):
    """The loss of the logits z (pre-activation of the output layer) and the targets."""
    if name == "mse":      # the seed's l2, identity output
        return lambda z, y: ((z - y) ** 2).sum() / N, Y_REG, "identity"
    if name == "cross-entropy":
        return lambda z, y: torch.nn.functional.cross_entropy(z, CLASSES), Y_ONEHOT, "softmax"
    if name == "bce":
        return (lambda z, y: torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction="sum") / N,
                Y_BINARY, "sigmoid")
    if name == "mae":
        return lambda z, y: torch.nn.functional.l1_loss(z, y, reduction="sum") / N, Y_REG, "identity"
    if name.startswith("huber"):
        delta = float(name[6:-1]) if "(" in name else 1.0
        return (lambda z, y: torch.nn.functional.huber_loss(z, y, reduction="sum", delta=delta) / N,
                Y_REG, "identity")
    raise ValueError(name)


def make_optimizer(name, params, hp):
    if name == "sgd":
        return torch.optim.SGD(params, lr=hp["lr"], weight_decay=hp.get("weight_decay", 0))
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=hp["lr"], momentum=hp["momentum"],
                               weight_decay=hp.get("weight_decay", 0), nesterov=name == "nesterov")
    if name == "adam":
        return torch.optim.Adam(params, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                                weight_decay=hp.get("weight_decay", 0))
    if name == "adamw":
        return torch.optim.AdamW(params, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                                 weight_decay=hp["weight_decay"])
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=hp["lr"], alpha=hp["alpha"], eps=hp["eps"],
                                   weight_decay=hp.get("weight_decay", 0))
    if name == "rprop":
        return torch.optim.Rprop(params, lr=hp["lr"])
    if name == "lbfgs":
        return torch.optim.LBFGS(params, lr=hp["lr"], max_iter=1, history_size=hp["history"],
                                 line_search_fn=None)
    raise ValueError(name)


def make_scheduler(spec, opt, lr):
    if spec == "constant":
        return None
    if spec.startswith("step"):
        return torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    if spec.startswith("exponential"):
        return torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.8)
    if spec.startswith("cosine"):
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=STEPS, eta_min=0.1 * lr)
    raise ValueError(spec)


SCHEDULE_SPECS = {"constant": "constant", "step": "step(size=2, gamma=0.5)",
                  "exponential": "exponential(gamma=0.8)", "cosine": "cosine(epochs=6, min=0.1)"}


def run(case):
    name, hp = case["optimizer"], case["hp"]
    loss, y, output = loss_fn(case["loss"])
    params = [W0.clone().requires_grad_(), B0.clone().requires_grad_(),
              W1.clone().requires_grad_(), B1.clone().requires_grad_()]
    theta0 = flat(params)
    opt = make_optimizer(name, params, hp)
    sched = make_scheduler(case.get("schedule", "constant"), opt, hp["lr"])
    clip = case.get("clip", 0)

    def closure():
        opt.zero_grad()
        z = torch.tanh(X @ params[0].T + params[1]) @ params[2].T + params[3]
        value = loss(z, y)
        value.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(params, clip)
        return value

    losses = []
    for _ in range(STEPS):
        if name == "lbfgs":
            losses.append(float(opt.step(closure)))
        else:
            losses.append(float(closure()))
            opt.step()
        if sched is not None:
            sched.step()
    spec = name + "(" + ", ".join(f"{k}={v}" for k, v in hp.items()) + ")"
    if name == "lbfgs":
        spec = spec[:-1] + ", line_search=none)"
    return {
        "name": case["name"], "optimizer": spec, "loss": case["loss"], "output": output,
        "schedule": SCHEDULE_SPECS[case.get("schedule", "constant")], "clip": clip,
        "x": X.reshape(-1).tolist(), "y": y.reshape(-1).tolist(),
        "theta0": theta0, "losses": losses, "theta": flat(params),
    }


ADAM = {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
CASES = [
    {"name": "sgd", "optimizer": "sgd", "loss": "mse", "hp": {"lr": 0.1}},
    {"name": "sgd-weight-decay", "optimizer": "sgd", "loss": "mse", "hp": {"lr": 0.1, "weight_decay": 0.05}},
    {"name": "momentum", "optimizer": "momentum", "loss": "mse", "hp": {"lr": 0.05, "momentum": 0.9}},
    {"name": "momentum-weight-decay", "optimizer": "momentum", "loss": "mse",
     "hp": {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.1}},
    {"name": "nesterov", "optimizer": "nesterov", "loss": "mse", "hp": {"lr": 0.05, "momentum": 0.9}},
    {"name": "rmsprop", "optimizer": "rmsprop", "loss": "mse", "hp": {"lr": 0.01, "alpha": 0.99, "eps": 1e-8}},
    {"name": "rmsprop-weight-decay", "optimizer": "rmsprop", "loss": "mse",
     "hp": {"lr": 0.01, "alpha": 0.9, "eps": 1e-8, "weight_decay": 0.1}},
    {"name": "adam", "optimizer": "adam", "loss": "mse", "hp": dict(ADAM)},
    {"name": "adam-weight-decay", "optimizer": "adam", "loss": "mse", "hp": dict(ADAM, weight_decay=0.1)},
    {"name": "adamw", "optimizer": "adamw", "loss": "mse", "hp": dict(ADAM, weight_decay=0.01)},
    {"name": "adamw-strong-decay", "optimizer": "adamw", "loss": "mse", "hp": dict(ADAM, weight_decay=0.5)},
    {"name": "rprop", "optimizer": "rprop", "loss": "mse", "hp": {"lr": 0.01}},
    {"name": "lbfgs", "optimizer": "lbfgs", "loss": "mse", "hp": {"lr": 0.5, "history": 5}},
    {"name": "cross-entropy", "optimizer": "sgd", "loss": "cross-entropy", "hp": {"lr": 0.5}},
    {"name": "cross-entropy-adam", "optimizer": "adam", "loss": "cross-entropy", "hp": dict(ADAM)},
    {"name": "bce", "optimizer": "sgd", "loss": "bce", "hp": {"lr": 0.5}},
    {"name": "mae", "optimizer": "sgd", "loss": "mae", "hp": {"lr": 0.1}},
    {"name": "huber", "optimizer": "sgd", "loss": "huber", "hp": {"lr": 0.2}},
    {"name": "huber-half", "optimizer": "sgd", "loss": "huber(0.5)", "hp": {"lr": 0.2}},
    {"name": "schedule-step", "optimizer": "sgd", "loss": "mse", "hp": {"lr": 0.1}, "schedule": "step"},
    {"name": "schedule-exponential", "optimizer": "momentum", "loss": "mse",
     "hp": {"lr": 0.05, "momentum": 0.9}, "schedule": "exponential"},
    {"name": "schedule-cosine", "optimizer": "adam", "loss": "mse", "hp": dict(ADAM), "schedule": "cosine"},
    {"name": "clip", "optimizer": "sgd", "loss": "mse", "hp": {"lr": 0.3}, "clip": 0.5},
]

if __name__ == "__main__":
    out = {"generator": "gradus-core/src/test/python/make_golden.py", "torch": torch.__version__,
           "steps": STEPS, "layers": [[IN, HIDDEN, "tanh"], [HIDDEN, OUT, "output"]], "rows": N,
           "cases": [run(c) for c in CASES]}
    with open(OUT_PATH, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", len(out["cases"]), "cases to", os.path.normpath(OUT_PATH))
