"""Excel bindings: worksheet functions (:mod:`.udfs`) and macros (:mod:`.macros`).

This is the only part of evalbook that imports xlwings. It runs in the desktop add-in
(classic xlwings), in xlwings Lite (Pyodide) and under xlwings Server; see docs/addin.md.
"""
