"""Methods that live in one place: each module or package here holds a method's catalog entries
(`ENTRIES`), and beside them its circuits, cost model and implementation, referenced from the entries.

Importing a module here must stay light (no numpy, no SDK): the checks read the entries. The
implementation goes in a separate module that the entry's `run` names; it is imported when a stage runs.
"""
