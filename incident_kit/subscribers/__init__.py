"""Status page subscribers: customers who asked, by email, for the status page's news (double opt-in)."""
