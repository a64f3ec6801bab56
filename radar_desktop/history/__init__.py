"""The inspection history: every inspection from every path, kept in one SQLite database (no Qt).

``database`` owns the SQL, ``recording`` turns scan outcomes into records (and their picture files),
``writer`` stores them from a thread of its own, ``export`` writes matching rows as CSV.
"""
