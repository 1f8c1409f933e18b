"""The engine host and what keeps it durable and in step with the chain."""
