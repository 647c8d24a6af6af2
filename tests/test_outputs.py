"""Every output of every bundled config in every format is what tests/golden/outputs/ holds, byte for byte.

A change that moves code must leave them identical. A change of behaviour regenerates them
(python tests/golden/make_outputs.py), and the diff shows what users will see differently.
"""

import pytest
from make_outputs import OUTPUTS, outputs

MADE = outputs()


@pytest.mark.parametrize("name", sorted(MADE))
def test_the_output_is_what_it_was(name):
    assert MADE[name] == (OUTPUTS / name).read_text(), (
        f"{name} changed; if on purpose: python tests/golden/make_outputs.py"
    )


def test_no_stored_output_is_left_without_a_command():
    assert sorted(path.name for path in OUTPUTS.iterdir()) == sorted(MADE)
