"""Optimizers with exactly torch.optim's update rules and defaults: SGD (momentum, dampening,
Nesterov, weight decay), Adam and AdamW (amsgrad, maximize), RMSprop (momentum, centered) and Adagrad.

Each works one parameter at a time: ``update(p, g, state, lr, out) -> (new p, new state)``,
where ``state`` is that parameter's state, keyed as torch's state dict (``{}`` before the
first step), and ``out`` (optional) holds arrays to write the new ``param`` and the new state
into, by key, so that a loop of steps reuses its memory (they never overlap ``p``, ``g`` or
``state``). Each also owns how it reads: its options (``options``), its one-line description,
its formulas, a worked update for --explain, and the mistakes ``check`` recognises in an
updated parameter.
"""

from __future__ import annotations

import numpy as np

from .errors import ConfigError
from .options import ABOVE_0, AT_LEAST_0, FROM_0_TO_1, Configurable, Option


class Optimizer(Configurable):
    state_keys: tuple[str, ...] = ()
    """The keys of a parameter's state, as torch's state dict names them (``step`` a number)."""
    symbols: dict[str, str] = {}
    """Each state key's symbol in formulas and titles: ``exp_avg`` is ``m``."""
    never_negative: dict[str, str] = {}
    """State keys that are never negative (a starting state is checked), and what they are."""
    keeps_state = True
    without_state = ""
    """When it keeps no state: why, and the fix (a starting state is refused with it)."""
    weight_decay = 0.0
    maximize = False
    decoupled = False
    """Weight decay on the parameter (AdamW), not in the gradient."""

    @property
    def slots(self) -> int:
        """Arrays of state kept per parameter."""
        return len([key for key in self.state_keys if key != "step"]) if self.keeps_state else 0

    def check(self) -> None:
        """Rules between options, as torch.optim checks them: a ConfigError for what it refuses."""

    def update(
        self, p: np.ndarray, g: np.ndarray, state: dict, lr: float, out: dict | None = None
    ) -> tuple[np.ndarray, dict]:
        raise NotImplementedError

    def gradient(self, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        """The gradient the rule uses: negated to maximize, with the weight decay added unless it is decoupled."""
        g = -g if self.maximize else g
        return g + self.weight_decay * p if self.weight_decay and not self.decoupled else g

    def grad_text(self, name: str) -> str:
        """That gradient in a formula: ``dL/dW1``, ``(dL/dW1 + 0.1 W1)``, ``-dL/dW1``."""
        g = f"-dL/d{name}" if self.maximize else f"dL/d{name}"
        return f"({g} + {self.weight_decay:g} {name})" if self.weight_decay and not self.decoupled else g

    def g_text(self) -> str:
        """That gradient in the state's formulas: ``g``, ``(g + wd·p)``, ``(-g)``."""
        g = "-g" if self.maximize else "g"
        return f"({g} + wd·p)" if self.weight_decay and not self.decoupled else f"({g})" if self.maximize else g

    def formula(self, name: str, lr: str) -> str:
        """The updated ``name``: ``W1 - 0.1 dL/dW1``."""
        raise NotImplementedError

    def state_formulas(self, first_step: bool) -> dict[str, str]:
        """Titles of the state's tables by key: ``{"exp_avg": "m ← 0.9 m + 0.1 g"}``."""
        raise NotImplementedError

    def worked(self, before: float, grad: float, state: dict, lr: float, num) -> str:
        """The update of one entry with its numbers, up to its result: ``1 - 0.1·2``. ``state`` holds that
        entry's state after the step; ``num`` writes numbers (``operand``, ``result``, ``terms``)."""
        raise NotImplementedError

    def mistakes(self, key: str, before: np.ndarray, grad: np.ndarray, lr: float, batch: int, mean: bool):
        """(hint, value) pairs for the likely mistakes behind a wrong updated ``key``: those of a plain step."""
        yield f"the gradient was added: {key} + {lr!r} dL/d{key}; the update subtracts it", before + lr * grad
        yield f"this is the gradient dL/d{key}, not the updated {key}", grad
        yield f"this is only the step {lr!r} dL/d{key}: subtract it from {key}", lr * grad
        yield f"the learning rate is left out: {key} - dL/d{key}", before - grad
        yield f"this is {key} before the update", before
        if batch > 1 and mean:
            yield f"the gradient was summed over the batch instead of averaged (x{batch})", before - lr * batch * grad
        elif batch > 1:
            yield f"the gradient was averaged over the batch instead of summed (/{batch})", before - lr * grad / batch


class SGD(Optimizer):
    name = "sgd"
    options = (
        Option("momentum", 0.0, **AT_LEAST_0),
        Option("dampening", 0.0, **AT_LEAST_0),
        Option("nesterov", False),
        Option("weight_decay", 0.0, **AT_LEAST_0),
    )
    state_keys = ("momentum_buffer",)
    symbols = {"momentum_buffer": "buf"}
    without_state = "plain sgd keeps no state; set a momentum, or remove the state"

    @property
    def keeps_state(self) -> bool:
        return self.momentum != 0

    def check(self) -> None:
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ConfigError(
                "optimizer.nesterov", "Nesterov momentum needs momentum > 0 and dampening 0 (as torch.optim.SGD)"
            )

    def update(self, p, g, state, lr, out=None):
        out = out or {}
        g = self.gradient(p, g)
        if self.momentum:
            old, buf = state.get("momentum_buffer"), out.get("momentum_buffer")
            if old is None and buf is None:  # the buffer starts as the gradient itself (no dampening at first)
                buf = g.copy()
            elif old is None:
                np.copyto(buf, g)
            else:  # momentum buf + (1 - dampening) g
                buf = np.multiply(old, self.momentum, out=buf)
                buf += (1 - self.dampening) * g
            state = {"momentum_buffer": buf}
            g = g + self.momentum * buf if self.nesterov else buf
        return _minus(p, lr, g, out.get("param")), state

    def formula(self, name, lr):
        g = self.grad_text(name)
        if not self.momentum:
            return f"{name} - {lr} {g}"
        return f"{name} - {lr} ({g} + {self.momentum:g} buf)" if self.nesterov else f"{name} - {lr} buf"

    def state_formulas(self, first_step):
        g = self.g_text()
        rest = f"{self.momentum:g} buf + {1 - self.dampening:g} {g}"
        return {"momentum_buffer": f"buf = {g}" if first_step else f"buf ← {rest}"}

    def worked(self, before, grad, state, lr, num):
        g = self.gradient(before, grad)
        if self.momentum:
            g = g + self.momentum * state["momentum_buffer"] if self.nesterov else state["momentum_buffer"]
        return f"{num.operand(before)} - {lr!r}·{num.operand(g)}"


class Adam(Optimizer):
    name = "adam"
    options = (
        Option("betas", (0.9, 0.999), lambda b: ((0 <= b) & (b < 1)).all(),
               "two numbers from 0 to below 1, e.g. [0.9, 0.999]"),
        Option("eps", 1e-8, **ABOVE_0, always=True),
        Option("weight_decay", 0.0, **AT_LEAST_0),
        Option("amsgrad", False, quiet=True),
        Option("maximize", False, quiet=True),
    )  # fmt: skip
    symbols = {"exp_avg": "m", "exp_avg_sq": "v", "max_exp_avg_sq": "vmax"}
    never_negative = {"exp_avg_sq": "a second moment", "max_exp_avg_sq": "a second moment"}

    @property
    def state_keys(self):
        return ("step", "exp_avg", "exp_avg_sq", *(["max_exp_avg_sq"] if self.amsgrad else []))

    def update(self, p, g, state, lr, out=None):
        out = out or {}
        beta1, beta2 = self.betas
        if self.weight_decay and self.decoupled:
            p = p * (1 - lr * self.weight_decay)
        g = self.gradient(p, g)
        step = state.get("step", 0) + 1
        m = state.get("exp_avg", np.zeros_like(g))
        v = state.get("exp_avg_sq", np.zeros_like(g))
        m_new = np.subtract(g, m, out=out.get("exp_avg"))  # m + (1 - beta1) (g - m): torch's lerp
        m_new *= 1 - beta1
        m_new += m
        v_new = np.multiply(g, 1 - beta2, out=out.get("exp_avg_sq"))  # beta2 v + (1 - beta2) g g
        v_new *= g
        v_new += beta2 * v
        m, v = m_new, v_new
        new = {"step": step, "exp_avg": m, "exp_avg_sq": v}
        if self.amsgrad:  # the largest second moment so far
            vmax = state.get("max_exp_avg_sq", np.zeros_like(g))
            v = new["max_exp_avg_sq"] = np.maximum(vmax, v, out=out.get("max_exp_avg_sq"))
        step_size = lr / (1 - beta1**step)
        denom = np.sqrt(v) / np.sqrt(1 - beta2**step) + self.eps
        return _minus(p, step_size, m / denom, out.get("param")), new

    def formula(self, name, lr):
        decay = f"(1 - {lr}·{self.weight_decay:g}) " if self.decoupled and self.weight_decay else ""
        v = f"(vmax / (1 - {self.betas[1]:g}^t))" if self.amsgrad else "v̂"  # the largest v so far, bias-corrected
        return f"{decay}{name} - {lr} m̂ / (√{v} + {self.eps:g})"

    def state_formulas(self, first_step):
        (beta1, beta2), g = self.betas, self.g_text()
        titles = {
            "exp_avg": f"m ← {beta1:g} m + {1 - beta1:g} {g}",
            "exp_avg_sq": f"v ← {beta2:g} v + {1 - beta2:g} {g}²",
        }
        return {**titles, "max_exp_avg_sq": "vmax ← max(vmax, v)"} if self.amsgrad else titles

    def worked(self, before, grad, state, lr, num):
        t = state["step"]
        m_hat = state["exp_avg"] / (1 - self.betas[0] ** t)
        v_hat = state["max_exp_avg_sq" if self.amsgrad else "exp_avg_sq"] / (1 - self.betas[1] ** t)
        decay = f"(1 - {lr!r}·{self.weight_decay:g})·" if self.decoupled and self.weight_decay else ""
        n = num.operand
        return f"{decay}{n(before)} - {lr!r}·{n(m_hat)}/(√{n(v_hat)} + {self.eps:g})"


class AdamW(Adam):
    """Adam with decoupled weight decay, by default torch's 0.01."""

    name = "adamw"
    options = (*Adam.options[:2], Option("weight_decay", 0.01, **AT_LEAST_0), *Adam.options[3:])
    decoupled = True


class RMSprop(Optimizer):
    """v ← α v + (1 - α) g², and the step g / (√v + eps); ``centered`` divides by √(v - m²) instead,
    m ← α m + (1 - α) g; with ``momentum`` the step is buf ← μ buf + g / (√v + eps)."""

    name = "rmsprop"
    options = (
        Option("alpha", 0.99, **FROM_0_TO_1, always=True),
        Option("eps", 1e-8, **ABOVE_0, always=True),
        Option("weight_decay", 0.0, **AT_LEAST_0),
        Option("momentum", 0.0, **AT_LEAST_0),
        Option("centered", False),
    )
    symbols = {"square_avg": "v", "momentum_buffer": "buf", "grad_avg": "m"}
    never_negative = {"square_avg": "a mean square"}

    @property
    def state_keys(self):
        return ("step", "square_avg", *(["momentum_buffer"] if self.momentum > 0 else []),
                *(["grad_avg"] if self.centered else []))  # fmt: skip

    def update(self, p, g, state, lr, out=None):
        out = out or {}
        g, zeros = self.gradient(p, g), np.zeros_like(p)
        v = np.multiply(g, 1 - self.alpha, out=out.get("square_avg"))  # alpha v + (1 - alpha) g g
        v *= g
        v += self.alpha * state.get("square_avg", zeros)
        new = {"step": state.get("step", 0) + 1, "square_avg": v}
        if self.centered:  # m + (1 - alpha) (g - m): torch's lerp
            old = state.get("grad_avg", zeros)
            m = np.subtract(g, old, out=out.get("grad_avg"))
            m *= 1 - self.alpha
            m += old
            new["grad_avg"], v = m, v - m * m
        step = g / (np.sqrt(v) + self.eps)
        if self.momentum > 0:  # momentum buf + step
            buf = new["momentum_buffer"] = np.multiply(
                state.get("momentum_buffer", zeros), self.momentum, out=out.get("momentum_buffer")
            )
            buf += step
            step = buf
        param = _minus(p, lr, step, out.get("param"))
        return param, {key: new[key] for key in self.state_keys}  # in torch's order

    def _root(self) -> str:
        return f"(√(v - m²) + {self.eps:g})" if self.centered else f"(√v + {self.eps:g})"

    def formula(self, name, lr):
        return f"{name} - {lr} buf" if self.momentum > 0 else f"{name} - {lr} {self.grad_text(name)} / {self._root()}"

    def state_formulas(self, first_step):
        alpha, g = self.alpha, self.g_text()
        titles = {"square_avg": f"v ← {alpha:g} v + {1 - alpha:g} {g}²"}
        if self.momentum > 0:
            titles["momentum_buffer"] = f"buf ← {self.momentum:g} buf + {g} / {self._root()}"
        if self.centered:
            titles["grad_avg"] = f"m ← {alpha:g} m + {1 - alpha:g} {g}"
        return titles

    def worked(self, before, grad, state, lr, num):
        n = num.operand
        if self.momentum > 0:
            return f"{n(before)} - {lr!r}·{n(state['momentum_buffer'])}"
        v = state["square_avg"] - state["grad_avg"] ** 2 if self.centered else state["square_avg"]
        return f"{n(before)} - {lr!r}·{n(self.gradient(before, grad))}/(√{n(v)} + {self.eps:g})"

    def mistakes(self, key, before, grad, lr, batch, mean):
        yield from super().mistakes(key, before, grad, lr, batch, mean)
        yield f"a plain gradient step {key} - {lr!r} dL/d{key}: rmsprop divides it by √v", before - lr * grad


class Adagrad(Optimizer):
    """s ← s + g² from s = initial_accumulator_value, and the step lr / (1 + (t - 1) lr_decay)
    times g / (√s + eps) at step t."""

    name = "adagrad"
    options = (
        Option("lr_decay", 0.0, **AT_LEAST_0),
        Option("weight_decay", 0.0, **AT_LEAST_0),
        Option("initial_accumulator_value", 0.0, **AT_LEAST_0),
        Option("eps", 1e-10, **ABOVE_0, always=True),
    )
    state_keys = ("step", "sum")
    symbols = {"sum": "s"}
    never_negative = {"sum": "a sum of squares"}

    def update(self, p, g, state, lr, out=None):
        out = out or {}
        g, step = self.gradient(p, g), state.get("step", 0) + 1
        old = state["sum"] if "sum" in state else np.full_like(p, self.initial_accumulator_value)
        total = np.multiply(g, g, out=out.get("sum"))  # s + g g
        total += old
        rate = lr / (1 + (step - 1) * self.lr_decay)
        return _minus(p, rate, g / (np.sqrt(total) + self.eps), out.get("param")), {"step": step, "sum": total}

    def _rate(self, lr: str, t: str) -> str:
        return f"{lr} / (1 + {t}·{self.lr_decay:g})" if self.lr_decay else lr

    def formula(self, name, lr):
        rate = f"{self._rate(lr, '(t - 1)')} ·" if self.lr_decay else lr
        return f"{name} - {rate} {self.grad_text(name)} / (√s + {self.eps:g})"

    def state_formulas(self, first_step):
        start = f"{self.initial_accumulator_value:g} + " if self.initial_accumulator_value else ""
        return {"sum": f"s = {start}{self.g_text()}²" if first_step else f"s ← s + {self.g_text()}²"}

    def worked(self, before, grad, state, lr, num):
        n, g = num.operand, self.gradient(before, grad)
        return (
            f"{n(before)} - {self._rate(repr(lr), str(state['step'] - 1))}·{n(g)}/(√{n(state['sum'])} + {self.eps:g})"
        )

    def mistakes(self, key, before, grad, lr, batch, mean):
        yield from super().mistakes(key, before, grad, lr, batch, mean)
        yield f"a plain gradient step {key} - {lr!r} dL/d{key}: adagrad divides it by √s", before - lr * grad


def _minus(p: np.ndarray, lr: float, g: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``p - lr * g`` into ``out`` (or one new array), not two: -(lr g) is exact, so the sum rounds alike."""
    if out is None:
        out = np.empty_like(p)  # in p's memory order: the next step's products round as before
    np.multiply(g, -lr, out=out)
    out += p
    return out


OPTIMIZERS = {kind.name: kind for kind in (SGD, Adam, AdamW, RMSprop, Adagrad)}
