"""The HTTP door: REST under /v1, health and metrics, the dApp."""
