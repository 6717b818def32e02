"""The onboarding checklist: the steps as data (``checks/onboarding.toml``), progress, dates, changes."""
