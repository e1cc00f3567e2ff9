"""Questions asked of the results database, one module per view:

    rows.py     the rows that count (the latest complete run per year, period and county)
    history.py  one code's scores year by year, and where its rubric changed
    ranking.py  ranks and rank tiers of a year's villages, townships or counties
    yoy.py      year over year, dimension by dimension and item by item
    periods.py  period over period within a year

Rankings and comparisons are worked out in Python over streamed rows, so SQLite and PostgreSQL
give the same answers by construction.
"""
