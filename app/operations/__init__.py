"""Operating the portal: health checks, Prometheus metrics, backup and restore."""
