"""strat: record child-safeguarding strategy discussions and produce their documents."""

__version__ = "0.1.0"
