"""One screen per section of the journey, and the modal ones (first run, help, message, confirmation)."""
