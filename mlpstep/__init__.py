"""mlpstep: one training step of a multilayer perceptron, every number of it.

    import mlpstep
    problem = mlpstep.load("configs/seed.yaml")   # a path, or a dict
    trace = mlpstep.step(problem)
    trace.loss, trace.forward["a1"], trace.grads["W1"], trace.updated["W1"]
    trace.to_dict()                               # exactly what --json prints
    mlpstep.variants("template.yaml", ["s1", "s2"], seed=2026)   # a config per student
    result = mlpstep.check(problem, "a1: [2, 13, 0, 0]")   # answers: a path, a dict or YAML text
    result.score, result.max_score, result.to_dict()      # one file of check --json
    trace                                         # a notebook shows its diagram and every value (HTML)
    trace.draw(grads=True).save("net.svg")        # the network with the step's numbers (SVG)

The names load lazily, so ``mlpstep --help`` does not wait for NumPy.
"""

__version__ = "0.1.0"

_HOMES = {
    "load": "loading.config",
    "Problem": "model",
    "step": "engine",
    "check": "grade.checking",
    "Trace": "model",
    "variants": "templates",
    "MlpstepError": "errors",
    "ConfigError": "errors",
    "NumericError": "errors",
}
__all__ = [*_HOMES, "__version__"]


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'mlpstep' has no attribute {name!r}")
    from importlib import import_module

    from .present.notebook import install

    install()  # a trace shows itself in a notebook; the command line never comes through here
    value = globals()[name] = getattr(import_module(f".{_HOMES[name]}", __name__), name)  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
