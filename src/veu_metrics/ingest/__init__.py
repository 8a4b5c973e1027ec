"""Reading the organisation's own files into the data model, checking them, and publishing them.

One concern per module, in the order an import runs:

- ``readers``: bytes → sheets. What a file is (sniffed, whatever its name says), its decoding
  and separator, its header row, its cells as text in chunks: CSV, Excel (through
  ``xlsx_stream``, the streaming reader, moved whole), Parquet, a public source's JSON; plus
  ``metadata.json`` and a dataset's own ``occupations.parquet``. Problems of the file itself
  (format, quoting, size limits) are reported here.
- ``published``: a public source's published layout (StatBank, Jobindsats) reshaped into the long
  layout the readers hand on; kept apart because it knows the sources, not the file formats.
- ``columns``: the one table of import columns (``ColumnSpec``): the names a file may use, how a
  cell is parsed, which rules check it. ``expected`` turns a key of messages.yaml into what an
  import problem expected, in both languages.
- ``values``: typed parsing of cells (numbers and the thousands rule, dates, words, codes,
  titles); a cell that cannot be read is reported and becomes null.
- ``pipeline``: the driver. ``parse_upload`` maps each sheet's header onto a table and parses
  its rows chunk by chunk; the chunk driver (``_sheet_to_table``, ``_parse_chunks``,
  ``_eager_chunks``) stays together in it.
- ``rules``: the checks on whole parsed tables (``check_tables``: codes, ranges, dates, keys,
  links, suspicious gaps).
- ``report``: ``Problem``, ``Problems`` (capped per file, column and kind), ``Report`` and its
  texts: what every other module writes to.
- ``publish``: validating against the served dataset and publishing atomically as a new
  version (locking, versions, pruning, pinning); the entry points ``validate_upload`` and
  ``import_upload`` of the CLI and the upload page.

Why this cut: the old ``importer.py`` mixed reading formats, mapping headers and typing values;
each is now read and changed on its own, and the dependencies run one way (readers and values
know nothing of the pipeline, but for one type named in a signature; rules know nothing of
reading). ``limits`` (input limits) and ``integrity`` (checks when a dataset is opened) stay in
``veu_metrics`` because opening a served dataset uses them too, and ``fetch`` (the StatBank API)
because it is a network source that hands its answer to an import. This ``__init__`` imports nothing: ``published`` and
``integrity`` import ``ingest.columns``, which must not pull the rest of the package in.
"""
