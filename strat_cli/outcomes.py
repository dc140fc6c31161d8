"""The words people use for an outcome: one home for answers files, `strat list --outcome` and
narrow columns.

Plain strings, not `model.Outcome`, so the register can answer `strat list` without importing
the model; a test holds every value here to `model.Outcome`.
"""

from __future__ import annotations

S47_SINGLE = "s47 single-agency"
S47_JOINT = "s47 joint with police"
S17 = "s17 child in need assessment"
EARLY_HELP = "early help"
NFA = "no further action"
FURTHER = "further strategy discussion"

# What a person may type, and the outcomes it means. In an answers file, a decision takes the
# first: plain "s47" is a single-agency enquiry unless "joint" is said.
WORDS: dict[str, tuple[str, ...]] = {
    "s47": (S47_SINGLE, S47_JOINT),
    "s47-single": (S47_SINGLE,),
    "s47-joint": (S47_JOINT,),
    "s17": (S17,),
    "cin": (S17,),
    "early-help": (EARLY_HELP,),
    "nfa": (NFA,),
    "further": (FURTHER,),
    "further-strategy": (FURTHER,),
}

# As a narrow table column shows them.
SHORT = {
    S47_SINGLE: "s47 single",
    S47_JOINT: "s47 joint",
    S17: "s17",
    EARLY_HELP: "early help",
    NFA: "NFA",
    FURTHER: "further SD",
}


def meant_by(typed: str) -> tuple[str, ...]:
    """The outcomes a typed word means ('s47_joint', 'S47 joint', 'nfa'…); () if none."""
    return WORDS.get(typed.strip().lower().replace("_", "-").replace(" ", "-"), ())
