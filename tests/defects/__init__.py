"""Builders of returned workbooks, clean and with one defect each (see builders.py)."""
