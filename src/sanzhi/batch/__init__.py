"""Annual batch rating runs: many villages scored in parallel, stored, published, resumable.

    plan.py       find inputs, cut them into shards (by folder / township), streaming
    work.py       what a worker does with one shard: read, score, write, compact rows
    files.py      where a village's files go, written atomically, and their hashes
    result_rows.py a result as the database's rows (villages' and units')
    executors.py  where shards run: inline, local process pool, Dask distributed
    runner.py     the run: dispatch in plan order, resume, summary reports, publish
    folder.py     the output folder's state file and lock
    ingest.py     shard outcomes into the database, a few shards per transaction
    sweep.py      output files the database does not account for, removed
    store.py      the results database (SQLite default, PostgreSQL by URL)
    migrations.py its schema, schema versions, and the migration of older databases in place
    queries/      history, ranking, year-over-year, period-over-period: one module per view
    publish.py    published lists (XLSX/CSV) and summary.json
    sheets.py     the XLSX and CSV files they are written as, and their file and sheet names
    serialize.py  fast byte-compatible JSON for one village
    unit_json.py  the JSON file of one township or county (unit runs: units.py)
    reportstep.py the pluggable report step: village and county reports in each wanted format
"""
