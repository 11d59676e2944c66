"""Export every table (Parquet, CSV or JSON) and restore an export into a fresh store."""

FORMATS = ("parquet", "csv", "json")  # here, not in service.py, so the CLI lists them without loading pandas
