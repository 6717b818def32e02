"""Certification: the catalog of cases (data in checks/certification/), the runner, and run records."""
