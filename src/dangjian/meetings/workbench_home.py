"""Home page panels: next meetings, records to finish or returned, a member's sign-in and attendance."""
