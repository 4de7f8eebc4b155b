"""casetrack: longitudinal clinical case tracking (labs, treatments, HLH/MAS scores)."""

__version__ = "0.1.0"
