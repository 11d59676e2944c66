"""Alert intake: Alertmanager, Grafana and generic alert events become incidents (see ``service``)."""
