"""The Amazon side: hosts, Login with Amazon, retries, and the Shipping v2 client. No UI here."""
