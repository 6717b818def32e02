"""The LWA credentials: what they are, where they are kept, and how they are shown without disclosing them."""
