"""Core business rules. Functions flush and send signals; they never commit and never read
``request`` (views pass what they need, e.g. the client IP)."""
