"""The incident record: models, SQL and the service that changes it."""
