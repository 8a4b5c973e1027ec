"""Reading the organisation's own files into the data model (issue 17, item 3).

``columns`` is the one table of import columns (``ColumnSpec``): the names a file may use, how a
cell is parsed, and which rules check it. ``expected`` turns a key of messages.yaml into what an
import problem expected, in both languages. The rest of the import code (``importer``,
``validation``, ``publish``) moves into this package later; until then those modules read the
table from here.
"""
