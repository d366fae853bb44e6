"""Cluster Portal: the services of an innovation cluster for its small and medium companies."""
