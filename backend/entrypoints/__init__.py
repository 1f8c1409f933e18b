"""Entry points that run the exchange: `hdex up` (runtime) and the Celery worker."""
