"""Export every table (Parquet, CSV or JSON) and restore an export into a fresh store."""
