"""Activations (``activations.py``) and losses (``losses.py``): each one object that keeps its
value and its derivative together and owns everything else about itself. Elsewhere they are
looked up by name in ACTIVATIONS and LOSSES and asked, never branched on."""

from .activations import ACTIVATIONS, ELU, Activation, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Softplus, Tanh
from .losses import LOSSES, MSE, NLL, HalfSquared, Loss, Squared

__all__ = [
    "ACTIVATIONS", "Activation", "ELU", "LeakyReLU", "Linear", "ReLU", "Sigmoid", "Softmax", "Softplus", "Tanh",
    "LOSSES", "Loss", "MSE", "NLL", "HalfSquared", "Squared",
]  # fmt: skip
